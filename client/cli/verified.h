#ifndef DSR_CLIENT_CLI_VERIFIED_H_
#define DSR_CLIENT_CLI_VERIFIED_H_

// A person's fresh verifications, kept in private files between `dsr verify`
// and `dsr submit` or `dsr requests`: DATA_DIR/verified/{key} (mode 0600),
// holding the token and when it expires, and DATA_DIR/verified/pending-{key}
// naming a verification still waiting for its code. A key is the SHA-256 of
// the identifier's type and value, so that file names reveal nothing.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dsr/v1/request.pb.h"

namespace dsr::client {

class VerificationStore {
 public:
  // `data_dir` empty: the default (private_files.h).
  explicit VerificationStore(std::string data_dir);

  // A verification started for `id` (value as typed), waiting for its code:
  // its name, and the challenge of a web site.
  absl::Status SavePending(const dsr::v1::SubjectIdentifier& id, const std::string& name,
                           const std::string& challenge) const;
  struct Pending {
    std::string name;
    std::string challenge;
  };
  absl::StatusOr<Pending> LoadPending(const dsr::v1::SubjectIdentifier& id) const;

  // Keeps `token` for `id` until `expires`, and drops the pending one.
  absl::Status SaveToken(const dsr::v1::SubjectIdentifier& id, const std::string& token,
                         absl::Time expires) const;
  // The unexpired token kept for `id`, if any.
  std::optional<std::string> Token(const dsr::v1::SubjectIdentifier& id, absl::Time now) const;
  // Forgets `id`'s token (spent by a submission).
  void Spent(const dsr::v1::SubjectIdentifier& id) const;

 private:
  std::string PathOf(const dsr::v1::SubjectIdentifier& id, const std::string& prefix) const;
  std::string dir_;
};

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_VERIFIED_H_
