#include "broker/requests/request_types.h"

#include <algorithm>

namespace dsr::broker {
namespace {

using dsr::v1::Outcome;

// Never destroyed: read by calls until the process ends.
const std::vector<RequestTypeTraits>& Table() {
  static const auto* table = new std::vector<RequestTypeTraits>{
      {dsr::v1::ERASURE,
       {dsr::v1::ERASED, dsr::v1::SUPPRESSED_IN_FUTURE_RELEASES, dsr::v1::EXCLUDED_FROM_TRAINING,
        dsr::v1::UNLEARNED, dsr::v1::OUTPUT_FILTERED},
       /*reports=*/false,
       /*portable=*/false,
       /*forwarded_when_answered=*/true},
      {dsr::v1::RECTIFICATION, {dsr::v1::RECTIFIED}, false, false, true},
      {dsr::v1::RESTRICTION,
       {dsr::v1::RESTRICTED, dsr::v1::EXCLUDED_FROM_TRAINING},
       false,
       false,
       true},
      {dsr::v1::OBJECTION,
       {dsr::v1::PROCESSING_STOPPED, dsr::v1::EXCLUDED_FROM_TRAINING, dsr::v1::OUTPUT_FILTERED},
       false,
       false,
       true},
      {dsr::v1::ACCESS, {dsr::v1::ACCESS_PROVIDED}, true, false, false},
      {dsr::v1::PORTABILITY, {dsr::v1::ACCESS_PROVIDED}, true, true, false},
  };
  return *table;
}

}  // namespace

const RequestTypeTraits* TraitsOf(int type) {
  for (const RequestTypeTraits& traits : Table()) {
    if (traits.type == type) return &traits;
  }
  return nullptr;
}

bool OutcomeFits(int type, int outcome) {
  const RequestTypeTraits* traits = TraitsOf(type);
  if (traits == nullptr) return false;
  if (outcome == dsr::v1::NO_DATA_FOUND) return true;
  return std::find(traits->outcomes.begin(), traits->outcomes.end(), outcome) !=
         traits->outcomes.end();
}

}  // namespace dsr::broker
