#include "broker/base/paged_scan.h"

#include <algorithm>

#include "broker/base/page_token.h"
#include "common/status_macros.h"

namespace dsr::broker {

absl::StatusOr<std::string> ScanPage(
    const storage::Store& store, const PageQuery& query,
    const std::function<absl::StatusOr<size_t>(absl::string_view key, absl::string_view value)>&
        add) {
  DSR_ASSIGN_OR_RETURN(std::string after, DecodePageToken(query.page_token, query.fingerprint));
  int count = 0;
  int examined = 0;
  size_t bytes = 0;
  const int max_examined = std::max(1000, kMaxExaminedPerItem * query.page_size);
  bool more = false;
  std::string last_key;
  absl::Status failed;
  const auto full = [&] {
    return count == query.page_size || examined == max_examined ||
           (query.max_reply_bytes > 0 && bytes >= query.max_reply_bytes);
  };
  DSR_RETURN_IF_ERROR(store.Scan(query.family, query.prefix, after,
                                 [&](absl::string_view key, absl::string_view value) {
                                   if (full()) {
                                     more = true;
                                     return false;
                                   }
                                   ++examined;
                                   absl::StatusOr<size_t> taken = add(key, value);
                                   if (!taken.ok()) {
                                     failed = taken.status();
                                     return false;
                                   }
                                   if (*taken > 0) ++count;
                                   bytes += *taken;
                                   last_key = std::string(key);
                                   return true;
                                 }));
  DSR_RETURN_IF_ERROR(failed);
  if (!more) return std::string();
  return EncodePageToken(last_key, query.fingerprint);
}

}  // namespace dsr::broker
