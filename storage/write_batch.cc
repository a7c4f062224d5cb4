#include "storage/write_batch.h"

#include "rocksdb/write_batch.h"

namespace dsr::storage {

WriteBatch::WriteBatch(const std::vector<rocksdb::ColumnFamilyHandle*>* handles)
    : handles_(handles), batch_(std::make_unique<rocksdb::WriteBatch>()) {}

WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(ColumnFamily cf, absl::string_view key,
                     const google::protobuf::MessageLite& record) {
  scratch_.clear();
  record.AppendToString(&scratch_);
  // rocksdb::WriteBatch::Put only fails when the batch exceeds its configured
  // maximum size, which the store never sets.
  batch_->Put((*handles_)[static_cast<int>(cf)], rocksdb::Slice(key.data(), key.size()), scratch_)
      .PermitUncheckedError();
}

void WriteBatch::PutEmpty(ColumnFamily cf, absl::string_view key) {
  batch_
      ->Put((*handles_)[static_cast<int>(cf)], rocksdb::Slice(key.data(), key.size()),
            rocksdb::Slice())
      .PermitUncheckedError();
}

void WriteBatch::Delete(ColumnFamily cf, absl::string_view key) {
  batch_->Delete((*handles_)[static_cast<int>(cf)], rocksdb::Slice(key.data(), key.size()))
      .PermitUncheckedError();
}

int WriteBatch::Count() const { return batch_->Count(); }

}  // namespace dsr::storage
