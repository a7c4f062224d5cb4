#include "broker/base/page_token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"

namespace dsr::broker {

std::string QueryFingerprint(absl::string_view method, absl::string_view filters) {
  // Length-prefixed so that ("ab", "c") and ("a", "bc") differ.
  return Sha256(absl::StrCat(method.size(), ":", method, filters));
}

std::string EncodePageToken(absl::string_view last_key, absl::string_view query_fingerprint) {
  dsr::storage::v1::PageToken token;
  token.set_last_key(std::string(last_key));
  token.set_query_fingerprint(std::string(query_fingerprint));
  return absl::WebSafeBase64Escape(token.SerializeAsString());
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view query_fingerprint) {
  if (token.empty()) return std::string();
  std::string bytes;
  dsr::storage::v1::PageToken decoded;
  if (!absl::WebSafeBase64Unescape(token, &bytes) || !decoded.ParseFromString(bytes) ||
      decoded.last_key().empty()) {
    return absl::InvalidArgumentError("page_token is not a token this method returned");
  }
  if (decoded.query_fingerprint() != query_fingerprint) {
    return absl::InvalidArgumentError(
        "page_token was returned for a different query; repeat the filters of the first call");
  }
  return std::move(*decoded.mutable_last_key());
}

absl::StatusOr<int> ResolvePageSize(int page_size, const Limits& limits) {
  if (page_size == 0) return limits.default_page_size;
  if (page_size < 0 || page_size > limits.max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", limits.max_page_size));
  }
  return page_size;
}

}  // namespace dsr::broker
