#include "broker/idempotency.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/time_util.h"
#include "broker/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/keys.h"

namespace dsr::broker {

absl::Status ValidateRequestId(absl::string_view request_id) {
  bool ok = request_id.size() <= 64;
  for (char c : request_id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError("request_id must be at most 64 characters of [A-Za-z0-9_-]");
}

std::string RequestFingerprint(absl::string_view method, const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  return Sha256(absl::StrCat(method, "\n", bytes));
}

absl::StatusOr<std::optional<std::string>> FindEarlierCall(const storage::Store& store,
                                                           absl::string_view principal,
                                                           absl::string_view request_id,
                                                           absl::string_view fingerprint) {
  dsr::storage::v1::IdempotencyRecord record;
  absl::Status found = store.Get(storage::ColumnFamily::kIdempotency,
                                 storage::keys::Idempotency(principal, request_id), &record);
  if (absl::IsNotFound(found)) return std::nullopt;
  if (!found.ok()) return found;
  if (record.fingerprint() != fingerprint) {
    return absl::InvalidArgumentError(
        "request_id was already used for a different request; use a new request_id");
  }
  return record.resource_name();
}

void RecordCall(storage::WriteBatch& batch, absl::string_view principal,
                absl::string_view request_id, absl::string_view fingerprint,
                absl::string_view resource_name, absl::Time now) {
  dsr::storage::v1::IdempotencyRecord record;
  record.set_fingerprint(std::string(fingerprint));
  record.set_resource_name(std::string(resource_name));
  *record.mutable_create_time() = ToProtoTime(now);
  batch.Put(storage::ColumnFamily::kIdempotency, storage::keys::Idempotency(principal, request_id),
            record);
}

}  // namespace dsr::broker
