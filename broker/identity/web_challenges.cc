#include "broker/identity/web_challenges.h"

#include <curl/curl.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/notify/curl_ready.h"

namespace dsr::broker {

namespace {

struct Body {
  std::string data;
  size_t max_bytes = 0;
  bool too_long = false;
};

size_t Collect(char* data, size_t size, size_t count, void* user) {
  Body* body = static_cast<Body*>(user);
  const size_t n = size * count;
  if (body->data.size() + n > body->max_bytes) {
    body->too_long = true;
    return 0;  // stops the transfer
  }
  body->data.append(data, n);
  return n;
}

class WebChallengeFetcher final : public ChallengeFetcher {
 public:
  explicit WebChallengeFetcher(WebChallengeOptions options) : options_(std::move(options)) {}

  absl::StatusOr<std::string> Fetch(const std::string& url, size_t max_bytes) override {
    if (!absl::StartsWith(url, "https://")) {
      return absl::InvalidArgumentError("challenges are fetched over https only");
    }
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
    curl_slist* connect_to = nullptr;
    for (const std::string& entry : options_.connect_to) {
      connect_to = curl_slist_append(connect_to, entry.c_str());
    }
    Body body{"", max_bytes, false};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "dsr-broker challenge check");
    if (connect_to != nullptr) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
    if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    const CURLcode code = curl_easy_perform(curl);
    long http_status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(connect_to);
    if (body.too_long) {
      return absl::FailedPreconditionError(absl::StrCat("the page at challenge_url is longer than ",
                                                        max_bytes,
                                                        " bytes: serve the challenge alone"));
    }
    if (code != CURLE_OK) {
      return absl::FailedPreconditionError(
          absl::StrCat("the broker could not fetch challenge_url (", curl_easy_strerror(code),
                       "): serve it over https with a valid certificate"));
    }
    if (http_status != 200) {
      return absl::FailedPreconditionError(absl::StrCat("challenge_url answered HTTP ", http_status,
                                                        ": serve the challenge there with 200"));
    }
    return std::move(body.data);
  }

 private:
  const WebChallengeOptions options_;
};

}  // namespace

std::unique_ptr<ChallengeFetcher> NewWebChallengeFetcher(WebChallengeOptions options) {
  EnsureCurlReady();
  return std::make_unique<WebChallengeFetcher>(std::move(options));
}

}  // namespace dsr::broker
