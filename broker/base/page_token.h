#ifndef DSR_BROKER_BASE_PAGE_TOKEN_H_
#define DSR_BROKER_BASE_PAGE_TOKEN_H_

// Opaque page tokens (AIP-158). A token carries the store key of the last
// item returned and a fingerprint of the query, so that a token used with a
// different query is refused rather than silently skipping items.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/base/limits.h"

namespace dsr::broker {

// A fingerprint of a list query: the method and its filters.
std::string QueryFingerprint(absl::string_view method, absl::string_view filters);

std::string EncodePageToken(absl::string_view last_key, absl::string_view query_fingerprint);

// The last key carried by `token`; empty for an empty token. INVALID_ARGUMENT
// naming page_token if the token is malformed or was made for another query.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view query_fingerprint);

// The page size to use for a request's `page_size`: the default for 0;
// INVALID_ARGUMENT for a negative size or one above the limit.
absl::StatusOr<int> ResolvePageSize(int page_size, const Limits& limits);

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_PAGE_TOKEN_H_
