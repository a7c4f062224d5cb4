#include "broker/journal/idempotency.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/keys.h"

namespace dsr::broker {
namespace {

bool IsValidRequestId(absl::string_view id) {
  if (id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream out(&stream);
  out.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&out);
  out.Trim();
  return bytes;
}

}  // namespace

absl::StatusOr<IdempotentCall> IdempotentCall::Prepare(const Principal& principal,
                                                       absl::string_view method,
                                                       const google::protobuf::Message& request,
                                                       const Pseudonyms* keyed) {
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return absl::InternalError(absl::StrCat(method, " has no request_id field"));
  }
  std::string request_id = request.GetReflection()->GetString(request, field);
  if (!IsValidRequestId(request_id)) {
    return absl::InvalidArgumentError("request_id must be at most 64 characters of [A-Za-z0-9_-]");
  }
  std::unique_ptr<google::protobuf::Message> unkeyed(request.New());
  unkeyed->CopyFrom(request);
  unkeyed->GetReflection()->ClearField(unkeyed.get(), field);
  const std::string fingerprinted = absl::StrCat(method, "\n", DeterministicBytes(*unkeyed));
  std::string fingerprint = keyed != nullptr ? keyed->Digest(fingerprinted) : Sha256(fingerprinted);
  return IdempotentCall(principal.Label(), std::move(request_id), std::move(fingerprint));
}

absl::StatusOr<std::optional<std::string>> IdempotentCall::FindEarlier(
    const storage::Store& store) const {
  if (!keyed()) return std::nullopt;
  dsr::storage::v1::IdempotencyRecord record;
  absl::Status found = store.Get(storage::ColumnFamily::kIdempotency,
                                 storage::keys::Idempotency(principal_, request_id_), &record);
  if (absl::IsNotFound(found)) return std::nullopt;
  if (!found.ok()) return found;
  if (record.fingerprint() != fingerprint_) {
    return absl::InvalidArgumentError(
        "request_id was already used for a different request; use a new request_id");
  }
  return record.resource_name();
}

std::string IdempotentCall::StorageKey() const {
  return keyed() ? storage::keys::Idempotency(principal_, request_id_) : std::string();
}

void IdempotentCall::Record(storage::WriteBatch& batch, absl::string_view resource_name,
                            absl::Time now) const {
  if (!keyed()) return;
  dsr::storage::v1::IdempotencyRecord record;
  record.set_fingerprint(fingerprint_);
  record.set_resource_name(std::string(resource_name));
  *record.mutable_create_time() = ToProtoTime(now);
  batch.Put(storage::ColumnFamily::kIdempotency,
            storage::keys::Idempotency(principal_, request_id_), record);
}

}  // namespace dsr::broker
