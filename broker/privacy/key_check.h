#ifndef DSR_BROKER_PRIVACY_KEY_CHECK_H_
#define DSR_BROKER_PRIVACY_KEY_CHECK_H_

// Guards against starting with the wrong key files: the first start records
// a value sealed with the master key and a keyed digest made with the
// pepper; every later start checks them. Without this, a replaced master key
// would surface only as DATA_LOSS on each read, and a replaced pepper would
// silently split every subject's rate-limit buckets and fingerprints.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "broker/privacy/pseudonyms.h"
#include "storage/store.h"

namespace dsr::broker {

// FAILED_PRECONDITION naming the file that does not match the database.
absl::Status VerifyOrRecordKeys(storage::Store& store, absl::string_view master_key,
                                const Pseudonyms& pseudonyms);

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRIVACY_KEY_CHECK_H_
