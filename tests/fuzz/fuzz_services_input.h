#ifndef DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_
#define DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_

// The input format of fuzz_services, shared with the corpus generator: the
// first byte is `method | credential << 5`, the rest the method's request
// message. Values only ever get appended, so that corpus files keep their
// meaning.

#include <cstdint>

namespace dsr::fuzz {

enum ServiceMethod : uint8_t {
  kCreateActor,
  kGetActor,
  kListActors,
  kRotateActorToken,
  kCreateHolding,
  kGetHolding,
  kListHoldings,
  kUpdateHolding,
  kRetireHolding,
  kCreateLink,
  kDeleteLink,
  kGetLineage,
  kSubmitRequest,
  kGetRequest,
  kCancelRequest,
  kGetAccessReport,
  kStreamInbox,
  kCommitInbox,
  kListTasks,
  kGetTask,
  kAcknowledgeTask,
  kCompleteTask,
  kRefuseTask,
  kExtendTask,
  kListAuditEvents,
  kVerifyAuditLog,
  // Not an RPC: moves the broker's clock 1 + (first 4 bytes, little-endian,
  // modulo 92 days in hours) hours forward.
  kAdvanceClock,
  kCreateBackup,
  kListBackups,
  kVerifyBackup,
  kServiceMethods
};

// Who calls. The receipts are those of the requests R1 and R2 made at set-up.
enum Credential : uint8_t {
  kNone,
  kAdmin,
  kAcme,
  kBeta,
  kGamma,
  kReceiptR1,
  kReceiptR2,
  kUnknownToken,
  kCredentials
};

static_assert(kServiceMethods <= 32 && kCredentials <= 8, "one byte holds both");

inline uint8_t ServiceInputByte(ServiceMethod method, Credential credential) {
  return static_cast<uint8_t>(method | (credential << 5));
}

}  // namespace dsr::fuzz

#endif  // DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_
