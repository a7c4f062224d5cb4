#ifndef DSR_BROKER_IDENTITY_IDENTIFIERS_H_
#define DSR_BROKER_IDENTITY_IDENTIFIERS_H_

// Normalisation of subject identifiers (SPEC §2), so that the same person is
// recognised however they typed their address. Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dsr/v1/request.pb.h"

namespace dsr::broker {

// The normalised form of `value` as an identifier of `type`:
//   EMAIL     trimmed, lowercased; one @, a dot in the domain, no spaces.
//   URL       RFC 3986 6.2.2-6.2.3: scheme and host lowercased, default
//             port dropped, dot segments removed, percent-encoding with
//             upper-case hex and unreserved characters decoded, empty path
//             of http(s) as "/". Needs a scheme and a host.
//   USERNAME  `platform:handle`, trimmed and lowercased, no spaces.
//   PHONE     E.164: "+" then 8 to 15 digits; "00" is read as "+"; spaces,
//             dots, dashes and parentheses are dropped.
//   NAME, OTHER  trimmed, runs of whitespace as one space.
// INVALID_ARGUMENT naming `field` (never the value) if the value does not fit
// its type, is empty, is longer than `max_bytes` or has control characters.
absl::StatusOr<std::string> NormalizeIdentifier(dsr::v1::SubjectIdentifier::Type type,
                                                absl::string_view value, size_t max_bytes,
                                                absl::string_view field);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_IDENTIFIERS_H_
