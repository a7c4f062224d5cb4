#ifndef DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_
#define DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_

// The input format of fuzz_services, shared with the corpus generator: the
// first byte is `method | credential << 5`, the rest the method's request
// message. Methods from kFirstExtended on do not fit in 5 bits: their first
// byte carries kFirstExtended, and a second byte `method - kFirstExtended`
// (modulo the number of them). Values only ever get appended, so that corpus
// files keep their meaning.

#include <cstdint>
#include <string>

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
  kAcceptLink,
  // From here on, two bytes name the method.
  kRejectLink,
  kListLinks,
  kCreateVerification,
  kConfirmVerification,
  kListAttestationKeys,
  kListRequests,
  kRequestIdentity,
  kConfirmIdentity,
  kServiceMethods
};

inline constexpr int kFirstExtended = kRejectLink;

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

static_assert(kFirstExtended == 31 && kCredentials <= 8, "one byte holds both");

// The bytes that name `method` and `credential`, before the request.
inline std::string ServiceInputPrefix(ServiceMethod method, Credential credential) {
  const int low = method < kFirstExtended ? method : kFirstExtended;
  std::string prefix(1, static_cast<char>(low | (credential << 5)));
  if (method >= kFirstExtended) prefix.push_back(static_cast<char>(method - kFirstExtended));
  return prefix;
}

}  // namespace dsr::fuzz

#endif  // DSR_TESTS_FUZZ_FUZZ_SERVICES_INPUT_H_
