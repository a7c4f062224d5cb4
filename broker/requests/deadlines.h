#ifndef DSR_BROKER_REQUESTS_DEADLINES_H_
#define DSR_BROKER_REQUESTS_DEADLINES_H_

// Legal deadlines (GDPR Art. 12(3), SPEC §4). Pure functions; thread-safe.

#include "absl/time/time.h"

namespace dsr::broker {

// Most months a task may be extended by, in total.
inline constexpr int kMaxExtensionMonths = 2;

// `months` calendar months after `start`, in UTC: the same day of the month
// and time of day, or the last day of the target month when that day does
// not exist there (Jan 31 + 1 month = Feb 28, or 29 in a leap year).
absl::Time AddCalendarMonths(absl::Time start, int months);

// When a task created at `create_time` and extended by `extension_months`
// is due: 1 + extension_months calendar months after it.
absl::Time DueTime(absl::Time create_time, int extension_months);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_DEADLINES_H_
