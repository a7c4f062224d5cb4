#include "broker/access/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace dsr::broker {

RateLimiter::Bucket& RateLimiter::Refill(const std::string& key, absl::Time now) {
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = limit_.burst;
  } else if (now > bucket.updated) {
    bucket.tokens =
        std::min(limit_.burst,
                 bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) * limit_.per_second);
  }
  bucket.updated = std::max(bucket.updated, now);
  return bucket;
}

void RateLimiter::Prune(absl::Time now) {
  if (buckets_.size() < max_keys_) return;
  // Down to half, so that this O(n) pass is rare. Full buckets behave like
  // absent ones; then the fullest go first, so that a drained bucket (the
  // one being limited) is the last to be forgotten.
  const auto level = [&](const Bucket& b) {
    return std::min(limit_.burst,
                    b.tokens + absl::ToDoubleSeconds(now - b.updated) * limit_.per_second);
  };
  absl::erase_if(buckets_, [&](const auto& entry) { return level(entry.second) >= limit_.burst; });
  const size_t keep = max_keys_ / 2;
  if (buckets_.size() <= keep) return;
  std::vector<double> levels;
  levels.reserve(buckets_.size());
  for (const auto& entry : buckets_) levels.push_back(level(entry.second));
  std::nth_element(levels.begin(), levels.begin() + keep, levels.end());
  const double threshold = levels[keep];
  absl::erase_if(buckets_, [&](const auto& entry) { return level(entry.second) > threshold; });
  // Ties at the threshold: drop the excess among those too.
  for (auto it = buckets_.begin(); buckets_.size() > keep && it != buckets_.end();) {
    if (level(it->second) >= threshold) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::Status RateLimiter::Refusal(double missing, absl::string_view what) const {
  const int64_t seconds =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing / limit_.per_second)));
  return absl::ResourceExhaustedError(absl::StrCat(what, "; retry in ", seconds, " s"));
}

absl::Status RateLimiter::TakeAll(std::vector<std::string> keys, absl::string_view what) {
  if (!enabled()) return absl::OkStatus();
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  Prune(now);
  double missing = 0;
  for (const std::string& key : keys) missing = std::max(missing, 1 - Refill(key, now).tokens);
  if (missing > 0) return Refusal(missing, what);
  for (const std::string& key : keys) buckets_[key].tokens -= 1;
  return absl::OkStatus();
}

absl::Status RateLimiter::Check(const std::string& key, absl::string_view what) {
  if (!enabled()) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return absl::OkStatus();
  const double missing = 1 - Refill(key, now).tokens;
  if (missing > 0) return Refusal(missing, what);
  return absl::OkStatus();
}

}  // namespace dsr::broker
