#include "client/cli/verified.h"

#include <openssl/sha.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli/private_files.h"

namespace dsr::client {

namespace {

// The client's light normalisation, so that `Alice@Example.org ` and
// `alice@example.org` share a file: emails are trimmed and lowercased (the
// broker's rule); others are only trimmed.
std::string KeyOf(const dsr::v1::SubjectIdentifier& id) {
  std::string value(absl::StripAsciiWhitespace(id.value()));
  if (id.type() == dsr::v1::SubjectIdentifier::EMAIL) absl::AsciiStrToLower(&value);
  const std::string text = absl::StrCat(id.type(), ":", value);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace

VerificationStore::VerificationStore(std::string data_dir)
    : dir_((data_dir.empty() ? DefaultDataDir() : std::move(data_dir)) + "/verified") {}

std::string VerificationStore::PathOf(const dsr::v1::SubjectIdentifier& id,
                                      const std::string& prefix) const {
  return absl::StrCat(dir_, "/", prefix, KeyOf(id));
}

absl::Status VerificationStore::SavePending(const dsr::v1::SubjectIdentifier& id,
                                            const std::string& name,
                                            const std::string& challenge) const {
  if (absl::Status made = MakePrivateDir(dir_); !made.ok()) return made;
  return WritePrivate(PathOf(id, "pending-"), absl::StrCat(name, "\n", challenge, "\n"));
}

absl::StatusOr<VerificationStore::Pending> VerificationStore::LoadPending(
    const dsr::v1::SubjectIdentifier& id) const {
  std::ifstream in(PathOf(id, "pending-"));
  Pending pending;
  if (!in || !std::getline(in, pending.name)) {
    return absl::NotFoundError(
        "no verification of it is waiting for a code: start one without --code");
  }
  std::getline(in, pending.challenge);
  return pending;
}

absl::Status VerificationStore::SaveToken(const dsr::v1::SubjectIdentifier& id,
                                          const std::string& token, absl::Time expires) const {
  if (absl::Status made = MakePrivateDir(dir_); !made.ok()) return made;
  absl::Status saved =
      WritePrivate(PathOf(id, ""), absl::StrCat(token, "\n", absl::ToUnixSeconds(expires), "\n"));
  if (saved.ok()) std::remove(PathOf(id, "pending-").c_str());
  return saved;
}

std::optional<std::string> VerificationStore::Token(const dsr::v1::SubjectIdentifier& id,
                                                    absl::Time now) const {
  std::ifstream in(PathOf(id, ""));
  std::string token, expires_line;
  int64_t expires = 0;
  if (!in || !std::getline(in, token) || !std::getline(in, expires_line) ||
      !absl::SimpleAtoi(expires_line, &expires) || absl::FromUnixSeconds(expires) <= now) {
    return std::nullopt;
  }
  return token;
}

void VerificationStore::Spent(const dsr::v1::SubjectIdentifier& id) const {
  std::remove(PathOf(id, "").c_str());
}

}  // namespace dsr::client
