#include "storage/write_batch.h"

namespace dsr::storage {
namespace {

uint32_t ReadLength(const char* p) {
  return static_cast<uint32_t>(static_cast<unsigned char>(p[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(p[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(p[3])) << 24;
}

}  // namespace

void WriteBatch::AppendLength(size_t length) {
  const uint32_t n = static_cast<uint32_t>(length);
  const char bytes[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                         static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  rep_.append(bytes, 4);
}

void WriteBatch::AppendHeader(ColumnFamily cf, bool is_delete, absl::string_view key) {
  rep_.push_back(static_cast<char>(static_cast<int>(cf)));
  rep_.push_back(is_delete ? 1 : 0);
  AppendLength(key.size());
  rep_.append(key.data(), key.size());
  ++count_;
}

void WriteBatch::Put(ColumnFamily cf, absl::string_view key,
                     const google::protobuf::MessageLite& record) {
  AppendHeader(cf, false, key);
  // The length is written once the record is: one serialisation, no copy.
  const size_t at = rep_.size();
  AppendLength(0);
  record.AppendToString(&rep_);
  const uint32_t n = static_cast<uint32_t>(rep_.size() - at - 4);
  for (int i = 0; i < 4; ++i) rep_[at + i] = static_cast<char>((n >> (8 * i)) & 0xff);
}

void WriteBatch::PutEmpty(ColumnFamily cf, absl::string_view key) {
  AppendHeader(cf, false, key);
  AppendLength(0);
}

void WriteBatch::Delete(ColumnFamily cf, absl::string_view key) {
  AppendHeader(cf, true, key);
  AppendLength(0);
}

void WriteBatch::ForEach(const std::function<void(const Op&)>& visit) const {
  const char* p = rep_.data();
  const char* const end = p + rep_.size();
  while (p < end) {
    Op op;
    op.cf = static_cast<ColumnFamily>(static_cast<unsigned char>(p[0]));
    op.is_delete = p[1] != 0;
    p += 2;
    const uint32_t key_size = ReadLength(p);
    p += 4;
    op.key = absl::string_view(p, key_size);
    p += key_size;
    const uint32_t value_size = ReadLength(p);
    p += 4;
    op.value = absl::string_view(p, value_size);
    p += value_size;
    visit(op);
  }
}

}  // namespace dsr::storage
