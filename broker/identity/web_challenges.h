#ifndef DSR_BROKER_IDENTITY_WEB_CHALLENGES_H_
#define DSR_BROKER_IDENTITY_WEB_CHALLENGES_H_

// Fetches HTTP challenge pages with libcurl: https only, the server's
// certificate checked, no redirects, a small body and a short timeout.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/identity/verifications.h"

namespace dsr::broker {

struct WebChallengeOptions {
  // curl's CURLOPT_CONNECT_TO entries, `HOST:PORT:CONNECT_HOST:CONNECT_PORT`:
  // connect there instead, still checking the certificate for HOST (tests
  // point a domain at a local server this way).
  std::vector<std::string> connect_to;
  // CA certificates to check sites with; default: the system's.
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(5);
};

std::unique_ptr<ChallengeFetcher> NewWebChallengeFetcher(WebChallengeOptions options);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_WEB_CHALLENGES_H_
