#ifndef DSR_BROKER_BASE_TIME_UTIL_H_
#define DSR_BROKER_BASE_TIME_UTIL_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace dsr::broker {

// Conversions between absl::Time and google.protobuf.Timestamp, at
// microsecond precision (what the broker stores).
google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_TIME_UTIL_H_
