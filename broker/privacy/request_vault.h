#ifndef DSR_BROKER_PRIVACY_REQUEST_VAULT_H_
#define DSR_BROKER_PRIVACY_REQUEST_VAULT_H_

// Encryption of personal data at rest (envelope encryption). Each request
// gets its own random 256-bit data key, stored wrapped (sealed) with the
// master key in column family `data_keys`. The request's subject identifiers
// and details (RequestRecord.sealed_subject) and the holders' access reports
// (`reports`) are sealed with that data key; the associated data names the
// record, so ciphertexts cannot be swapped between records. Deleting the data
// key destroys the request's personal data, in every copy the database may
// still hold (crypto-shredding). The master key lives in a file outside the
// database. Thread-safe; the vault holds no per-request state.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace dsr::broker {

class RequestVault {
 public:
  // `master_key`: 32 bytes. `store` must outlive the vault.
  RequestVault(const storage::Store* store, std::string master_key);

  // Makes a new data key for `request` (its request_id set), adds it wrapped
  // to `batch`, and seals `subject` into request->sealed_subject.
  absl::Status SealNew(storage::WriteBatch& batch, const dsr::storage::v1::SubjectRecord& subject,
                       dsr::storage::v1::RequestRecord* request) const;

  // Seals `subject` anew with the request's existing data key (a changed
  // attestation, say) into request->sealed_subject. DATA_LOSS as OpenSubject.
  absl::Status Reseal(const dsr::storage::v1::SubjectRecord& subject,
                      dsr::storage::v1::RequestRecord* request) const;
  // The request's personal data, or nullopt once purged (also when the purge
  // happened after `request` was read). DATA_LOSS if the key or the
  // ciphertext is missing or does not authenticate.
  absl::StatusOr<std::optional<dsr::storage::v1::SubjectRecord>> OpenSubject(
      const dsr::storage::v1::RequestRecord& request) const;

  // Adds the access report of task `task_number`, sealed, to `batch`; an
  // inline copy is sealed apart. FAILED_PRECONDITION if the request was
  // purged.
  absl::Status PutReport(storage::WriteBatch& batch, const dsr::storage::v1::RequestRecord& request,
                         uint64_t task_number,
                         const dsr::storage::v1::AccessReportRecord& report) const;

  // The access report of task `task_number`, or nullopt if there is none or
  // the request was purged. Without its inline copy's data unless
  // `with_copy` (copy_media_type still says there is one).
  absl::StatusOr<std::optional<dsr::storage::v1::AccessReportRecord>> ReadReport(
      const dsr::storage::v1::RequestRecord& request, uint64_t task_number,
      bool with_copy = true) const;

  // Whether the stored request is purged now (a reader may hold an older
  // copy of its record).
  bool PurgedSince(absl::string_view request_id) const;

  // Destroys the request's personal data: deletes its data key, its reports,
  // the idempotency record of its submission (whose fingerprint covers
  // the identifiers) and its entries in `subject_requests`, clears sealed_subject and sets
  // purge_time to `now`. The caller writes the changed record.
  absl::Status Purge(storage::WriteBatch& batch, absl::Time now,
                     dsr::storage::v1::RequestRecord* request) const;

 private:
  absl::StatusOr<std::string> DataKey(absl::string_view request_id) const;

  const storage::Store* const store_;
  const std::string master_key_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRIVACY_REQUEST_VAULT_H_
