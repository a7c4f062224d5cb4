#ifndef DSR_BROKER_BASE_PAGED_SCAN_H_
#define DSR_BROKER_BASE_PAGED_SCAN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "storage/store.h"

namespace dsr::broker {

struct PageQuery {
  storage::ColumnFamily family;
  // Only keys with this prefix are listed.
  std::string prefix;
  // The method and its filters (see QueryFingerprint); a page token is good
  // only for the query it was made for.
  std::string fingerprint;
  // The caller's page token; empty for the first page.
  std::string page_token;
  // Already resolved by ResolvePageSize.
  int page_size = 0;
  // The most the items of one page may weigh (Limits::max_reply_bytes):
  // the page ends after the item that reaches it. 0: no bound.
  size_t max_reply_bytes = 0;
};

// Lists one page: offers `add` the entries in key order after the page
// token until it has taken `query.page_size` of them (`add` returns what
// the entry it took adds to the reply, ReplyBytes, or 0 if a filter passed
// it over), or the items reached query.max_reply_bytes, or it examined kMaxExaminedPerItem entries
// per item of the page size (a filter that passes most entries over then returns a short page, even
// an empty one, with a token), and returns the token of the next page (empty on the last page).
// Stops at the first error of `add` and returns it.
inline constexpr int kMaxExaminedPerItem = 10;

// What `item` adds to a reply as an entry of a repeated field: its size,
// and room for its tag and length.
inline size_t ReplyBytes(const google::protobuf::MessageLite& item) {
  return item.ByteSizeLong() + 8;
}
absl::StatusOr<std::string> ScanPage(
    const storage::Store& store, const PageQuery& query,
    const std::function<absl::StatusOr<size_t>(absl::string_view key, absl::string_view value)>&
        add);

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_PAGED_SCAN_H_
