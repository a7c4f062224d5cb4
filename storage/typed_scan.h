#ifndef DSR_STORAGE_TYPED_SCAN_H_
#define DSR_STORAGE_TYPED_SCAN_H_

// Scans that hand out parsed records instead of bytes (Store::Scan).

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/store.h"

namespace dsr::storage {

// Visits, in key order, the records of `cf` whose keys start with `prefix`
// and sort after `start_after` (as Store::Scan), each parsed as a `Record`:
// `visit(key, record)` returns whether to go on, and may move from
// `record`. A value that does not parse stops the scan with DATA_LOSS ("a
// stored `what` does not parse").
template <typename Record, typename Visit>
absl::Status ScanRecords(const Store& store, ColumnFamily cf, absl::string_view prefix,
                         absl::string_view start_after, absl::string_view what, Visit&& visit) {
  absl::Status bad;
  absl::Status scanned =
      store.Scan(cf, prefix, start_after, [&](absl::string_view key, absl::string_view value) {
        Record record;
        if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
          return false;
        }
        return visit(key, record);
      });
  if (!scanned.ok()) return scanned;
  return bad;
}

// The record under `key`, or nullopt if there is none; DATA_LOSS if it does
// not parse.
template <typename Record>
absl::StatusOr<std::optional<Record>> GetIfPresent(const Store& store, ColumnFamily cf,
                                                   absl::string_view key) {
  Record record;
  absl::Status s = store.Get(cf, key, &record);
  if (absl::IsNotFound(s)) return std::nullopt;
  if (!s.ok()) return s;
  return record;
}

}  // namespace dsr::storage

#endif  // DSR_STORAGE_TYPED_SCAN_H_
