#include "broker/requests/deadlines.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace dsr::broker {

absl::Time AddCalendarMonths(absl::Time start, int months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond civil = absl::ToCivilSecond(start, utc);
  const absl::Duration subsecond = start - absl::FromCivil(civil, utc);
  const absl::CivilMonth month = absl::CivilMonth(civil) + months;
  const int last_day = (absl::CivilDay(month + 1) - 1).day();
  const absl::CivilSecond due(month.year(), month.month(), std::min<int>(civil.day(), last_day),
                              civil.hour(), civil.minute(), civil.second());
  return absl::FromCivil(due, utc) + subsecond;
}

absl::Time DueTime(absl::Time create_time, int extension_months) {
  return AddCalendarMonths(create_time, 1 + extension_months);
}

}  // namespace dsr::broker
