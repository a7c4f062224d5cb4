#ifndef DSR_BROKER_REQUESTS_REQUEST_TYPES_H_
#define DSR_BROKER_REQUESTS_REQUEST_TYPES_H_

// What differs between the request types (SPEC §4), in one table: a new type
// is one row here (and its enum value), not checks scattered over the code.
// A type without a row is refused at submit.

#include <vector>

#include "dsr/v1/request.pb.h"

namespace dsr::broker {

struct RequestTypeTraits {
  dsr::v1::RequestType type;
  // The outcomes that answer it; NO_DATA_FOUND answers every type.
  std::vector<dsr::v1::Outcome> outcomes;
  // Whether it asks for the data: its holders answer ACCESS_PROVIDED with an
  // access report, and the person reads the merged report.
  bool reports;
  // Whether those reports must carry a machine-readable copy (Art. 20).
  bool portable;
  // Whether a link accepted after every task was answered still forwards it
  // (the copy may predate the answer: erasure, say); else only while open.
  bool forwarded_when_answered;
};

// The row of `type`; null for a type without one (unknown or unspecified).
const RequestTypeTraits* TraitsOf(int type);

// Whether `outcome` answers a request of `type`.
bool OutcomeFits(int type, int outcome);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_REQUEST_TYPES_H_
