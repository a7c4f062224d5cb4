#include "broker/privacy/key_check.h"

#include "broker/base/tokens.h"
#include "broker/privacy/aead.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {
namespace {

constexpr absl::string_view kMasterCheck = "master-key";
constexpr absl::string_view kPepperCheck = "pepper";
constexpr absl::string_view kCheckText = "dsr-broker key check";

}  // namespace

absl::Status VerifyOrRecordKeys(storage::Store& store, absl::string_view master_key,
                                const Pseudonyms& pseudonyms) {
  using storage::ColumnFamily;
  dsr::storage::v1::DataKeyRecord master;
  dsr::storage::v1::DataKeyRecord pepper;
  absl::Status read_master =
      store.Get(ColumnFamily::kDataKeys, storage::keys::KeyCheck(kMasterCheck), &master);
  absl::Status read_pepper =
      store.Get(ColumnFamily::kDataKeys, storage::keys::KeyCheck(kPepperCheck), &pepper);
  if (!read_master.ok() && !absl::IsNotFound(read_master)) return read_master;
  if (!read_pepper.ok() && !absl::IsNotFound(read_pepper)) return read_pepper;

  storage::WriteBatch batch = store.NewWriteBatch();
  if (read_master.ok()) {
    if (!Open(master_key, master.wrapped_key(), kCheckText).ok()) {
      return absl::FailedPreconditionError(
          "the master key file does not match this database (it was made with another key); "
          "restore the original file");
    }
  } else {
    DSR_ASSIGN_OR_RETURN(*master.mutable_wrapped_key(), Seal(master_key, kCheckText, kCheckText));
    batch.Put(ColumnFamily::kDataKeys, storage::keys::KeyCheck(kMasterCheck), master);
  }
  const std::string digest = pseudonyms.Digest(kCheckText);
  if (read_pepper.ok()) {
    if (!DigestsEqual(pepper.wrapped_key(), digest)) {
      return absl::FailedPreconditionError(
          "the pepper file does not match this database (it was made with another pepper); "
          "restore the original file");
    }
  } else {
    pepper.set_wrapped_key(digest);
    batch.Put(ColumnFamily::kDataKeys, storage::keys::KeyCheck(kPepperCheck), pepper);
  }
  if (read_master.ok() && read_pepper.ok()) return absl::OkStatus();
  return store.Commit(batch);
}

}  // namespace dsr::broker
