#ifndef DSR_BROKER_JOURNAL_AUDIT_CHAIN_H_
#define DSR_BROKER_JOURNAL_AUDIT_CHAIN_H_

// The hash chain of the audit log (SPEC §6): each event's hash is
// SHA-256(previous hash || the event serialized without its hash). Pure
// functions; thread-safe.

#include <string>

#include "dsr/storage/v1/audit_records.pb.h"

namespace dsr::broker {

// The previous hash of the first event: 32 zero bytes.
const std::string& GenesisHash();

// The hash `event` must carry after an event whose hash is `previous_hash`.
// `event.hash` is ignored.
std::string ChainHash(const std::string& previous_hash,
                      const dsr::storage::v1::AuditEventRecord& event);

}  // namespace dsr::broker

#endif  // DSR_BROKER_JOURNAL_AUDIT_CHAIN_H_
