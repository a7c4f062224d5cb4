#ifndef DSR_BROKER_PAGED_SCAN_H_
#define DSR_BROKER_PAGED_SCAN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
};

// Lists one page: offers `add` the entries in key order after the page
// token until it has taken `query.page_size` of them (`add` returns whether
// it took the entry: a filter may pass some over), and returns the token of
// the next page (empty on the last page). Stops at the first error of `add`
// and returns it.
absl::StatusOr<std::string> ScanPage(
    const storage::Store& store, const PageQuery& query,
    const std::function<absl::StatusOr<bool>(absl::string_view key, absl::string_view value)>& add);

}  // namespace dsr::broker

#endif  // DSR_BROKER_PAGED_SCAN_H_
