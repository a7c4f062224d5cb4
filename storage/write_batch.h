#ifndef DSR_STORAGE_WRITE_BATCH_H_
#define DSR_STORAGE_WRITE_BATCH_H_

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "storage/column_family.h"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace dsr::storage {

// A set of puts and deletes that Store::Commit applies atomically and durably.
// Made by Store::NewWriteBatch and valid while that store is open. Build keys
// with storage/keys.h. Not thread-safe; use one batch per mutation.
class WriteBatch {
 public:
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  // Stores `record` serialized under `key`, replacing any previous value.
  void Put(ColumnFamily cf, absl::string_view key, const google::protobuf::MessageLite& record);
  // Stores an empty value under `key` (index entries).
  void PutEmpty(ColumnFamily cf, absl::string_view key);
  // Removes `key`; a missing key is not an error.
  void Delete(ColumnFamily cf, absl::string_view key);

  // Number of puts and deletes so far.
  int Count() const;

 private:
  friend class Store;
  explicit WriteBatch(const std::vector<rocksdb::ColumnFamilyHandle*>* handles);

  const std::vector<rocksdb::ColumnFamilyHandle*>* handles_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::string scratch_;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_WRITE_BATCH_H_
