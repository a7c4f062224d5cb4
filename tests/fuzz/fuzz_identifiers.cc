// Fuzz target: the subject identifier normalisers (broker/identity/identifiers.h).
//
// Input: the first byte picks the type (its value modulo 8: 0 is
// TYPE_UNSPECIFIED, 1-6 the types, 7 a value the enum does not know); the
// other bytes are the identifier, as they would arrive in a request.
//
// Besides not crashing, a normaliser must:
//  - accept what it produced, unchanged (normalising twice changes nothing;
//    otherwise one person's identifier would be stored in two forms);
//  - produce the shape its type promises (E.164 phones, one `@` in emails,
//    lower case where the type is case-insensitive, no control characters);
//  - ignore surrounding whitespace, and, for emails and usernames, case;
//  - refuse with INVALID_ARGUMENT naming the field and never repeating the
//    value.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/base/limits.h"
#include "broker/identity/identifiers.h"
#include "tests/fuzz/fuzz_support.h"

namespace dsr::fuzz {
namespace {

using dsr::v1::SubjectIdentifier;

constexpr absl::string_view kField = "request.subject_identifiers[0].value";

absl::StatusOr<std::string> Normalize(
    SubjectIdentifier::Type type, absl::string_view value,
    size_t max_bytes = dsr::broker::Limits().max_identifier_bytes) {
  return dsr::broker::NormalizeIdentifier(type, value, max_bytes, kField);
}

std::string Describe(SubjectIdentifier::Type type, absl::string_view value) {
  return absl::StrCat("type ", static_cast<int>(type), " value \"", absl::CHexEscape(value), "\"");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters that error messages are made of. A value with any other
// character that shows up in the message was echoed.
bool InMessageAlphabet(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view(" ._()[]:,;'-").find(c) != absl::string_view::npos;
}

void CheckRefusal(SubjectIdentifier::Type type, absl::string_view value,
                  const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    Fail(absl::StrCat("refusal is not INVALID_ARGUMENT: ", status.ToString(), " for ",
                      Describe(type, value)));
  }
  if (!absl::StartsWith(status.message(), kField)) {
    Fail(absl::StrCat("refusal does not name the field: ", status.ToString()));
  }
  const absl::string_view trimmed = absl::StripAsciiWhitespace(value);
  bool distinctive = false;
  for (char c : trimmed) distinctive = distinctive || !InMessageAlphabet(c);
  if (trimmed.size() >= 3 && distinctive && absl::StrContains(status.message(), trimmed)) {
    Fail(absl::StrCat("refusal repeats the value: ", Describe(type, value)));
  }
}

void CheckShape(SubjectIdentifier::Type type, absl::string_view value, const std::string& out) {
  auto fail = [&](absl::string_view what) {
    Fail(absl::StrCat(what, ": ", Describe(type, value), " -> \"", absl::CHexEscape(out), "\""));
  };
  if (out.empty()) fail("empty normal form");
  for (unsigned char c : out) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) fail("control character in the normal form");
  }
  const bool has_space = out.find_first_of(" \t") != std::string::npos;
  switch (type) {
    case SubjectIdentifier::EMAIL:
      if (out != absl::AsciiStrToLower(out)) fail("email not lower case");
      if (has_space) fail("email with whitespace");
      if (out.find('@') == std::string::npos || out.find('@') != out.rfind('@')) {
        fail("email without exactly one @");
      }
      break;
    case SubjectIdentifier::USERNAME:
      if (out != absl::AsciiStrToLower(out)) fail("username not lower case");
      if (has_space) fail("username with whitespace");
      // The first colon splits platform from handle; both are non-empty.
      if (out.find(':') == std::string::npos || out.find(':') == 0 ||
          out.find(':') + 1 == out.size()) {
        fail("username not platform:handle");
      }
      break;
    case SubjectIdentifier::PHONE: {
      if (out.size() < 9 || out.size() > 16 || out[0] != '+' || out[1] == '0') {
        fail("phone not E.164");
      }
      for (size_t i = 1; i < out.size(); ++i) {
        if (!IsDigit(out[i])) fail("phone not E.164");
      }
      break;
    }
    case SubjectIdentifier::URL: {
      const size_t scheme_end = out.find("://");
      if (scheme_end == std::string::npos || scheme_end == 0) fail("URL without scheme");
      const std::string scheme = out.substr(0, scheme_end);
      if (scheme != absl::AsciiStrToLower(scheme)) fail("URL scheme not lower case");
      break;
    }
    case SubjectIdentifier::NAME:
    case SubjectIdentifier::OTHER:
      if (out.find('\t') != std::string::npos || out.find("  ") != std::string::npos ||
          out.front() == ' ' || out.back() == ' ') {
        fail("name whitespace not collapsed");
      }
      break;
    default:
      fail("an unknown type was accepted");
  }
}

// Same outcome (accepted with the same form, or refused) for `variant` as
// for the original value.
void CheckSameAs(SubjectIdentifier::Type type, absl::string_view value,
                 const absl::StatusOr<std::string>& original, absl::string_view variant,
                 absl::string_view what) {
  absl::StatusOr<std::string> other = Normalize(type, variant);
  if (other.ok() != original.ok() || (other.ok() && *other != *original)) {
    Fail(absl::StrCat(what, " changes the outcome: ", Describe(type, value), " -> ",
                      original.ok() ? absl::CHexEscape(*original) : original.status().ToString(),
                      " but ", Describe(type, variant), " -> ",
                      other.ok() ? absl::CHexEscape(*other) : other.status().ToString()));
  }
}

int TestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return -1;
  const auto type = static_cast<SubjectIdentifier::Type>(data[0] % 8);
  const absl::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);

  const absl::StatusOr<std::string> out = Normalize(type, value);
  if (!out.ok()) {
    CheckRefusal(type, value, out.status());
  } else {
    CheckShape(type, value, *out);
    // The normal form may be a byte longer than the input (an empty http
    // path becomes "/"), so the second pass has no length limit.
    absl::StatusOr<std::string> again = Normalize(type, *out, std::numeric_limits<size_t>::max());
    if (!again.ok() || *again != *out) {
      Fail(absl::StrCat("normalising twice changes the value: ", Describe(type, value), " -> \"",
                        absl::CHexEscape(*out), "\" -> ",
                        again.ok() ? absl::StrCat("\"", absl::CHexEscape(*again), "\"")
                                   : again.status().ToString()));
    }
  }
  if (value.size() + 2 <= dsr::broker::Limits().max_identifier_bytes) {
    CheckSameAs(type, value, out, absl::StrCat(" ", value, "\t"), "surrounding whitespace");
  }
  if (type == SubjectIdentifier::EMAIL || type == SubjectIdentifier::USERNAME) {
    CheckSameAs(type, value, out, absl::AsciiStrToUpper(value), "upper case");
  }
  return 0;
}

}  // namespace
}  // namespace dsr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return dsr::fuzz::TestOneInput(data, size);
}
