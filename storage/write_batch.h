#ifndef DSR_STORAGE_WRITE_BATCH_H_
#define DSR_STORAGE_WRITE_BATCH_H_

// A set of puts and deletes that a Store applies atomically. Backend-neutral:
// it records the operations in one buffer, and each store replays them
// (ForEach) into its own write. Build keys with storage/keys.h. Not
// thread-safe; use one batch per mutation.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "storage/column_family.h"

namespace dsr::storage {

class WriteBatch {
 public:
  WriteBatch() = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;

  // Stores `record` serialized under `key`, replacing any previous value.
  void Put(ColumnFamily cf, absl::string_view key, const google::protobuf::MessageLite& record);
  // Stores an empty value under `key` (index entries).
  void PutEmpty(ColumnFamily cf, absl::string_view key);
  // Removes `key`; a missing key is not an error.
  void Delete(ColumnFamily cf, absl::string_view key);

  // Number of puts and deletes so far.
  int Count() const { return count_; }
  // Bytes the operations take (keys, values and a few bytes each).
  size_t ByteSize() const { return rep_.size(); }

  // One operation, as a store applies it.
  struct Op {
    ColumnFamily cf;
    bool is_delete;
    absl::string_view key;
    absl::string_view value;
  };
  // Calls `visit` with each operation, in the order they were added. The
  // views are valid during the call.
  void ForEach(const std::function<void(const Op&)>& visit) const;

 private:
  // Per operation: the family (1 byte), 1 for a delete else 0 (1 byte), the
  // key's length (4 bytes, little-endian), the key, the value's length, the
  // value.
  void AppendHeader(ColumnFamily cf, bool is_delete, absl::string_view key);
  void AppendLength(size_t length);

  std::string rep_;
  int count_ = 0;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_WRITE_BATCH_H_
