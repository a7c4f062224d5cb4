#include "broker/identity/web_challenges.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>
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

// Whether `address` is one the broker may fetch a challenge from: a global
// unicast address, not the broker's own network (loopback, private,
// link-local, shared, unspecified, multicast).
bool IsGlobal(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr);
    const auto in = [a](uint32_t net, int bits) {
      return (a >> (32 - bits)) == (net >> (32 - bits));
    };
    return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x7F000000, 8) || in(0xA9FE0000, 16) ||
             in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0x64400000, 10) || in(0xC0000000, 24) ||
             in(0xE0000000, 4) || in(0xF0000000, 4));
  }
  if (address->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      sockaddr_in v4{};
      v4.sin_family = AF_INET;
      std::memcpy(&v4.sin_addr, &a.s6_addr[12], 4);
      return IsGlobal(reinterpret_cast<const sockaddr*>(&v4));
    }
    return !(IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
             IN6_IS_ADDR_SITELOCAL(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
             (a.s6_addr[0] & 0xFE) == 0xFC);
  }
  return false;
}

// Opens the socket curl asks for only toward a global address.
curl_socket_t OpenGlobalSocket(void*, curlsocktype, curl_sockaddr* address) {
  if (!IsGlobal(&address->addr)) return CURL_SOCKET_BAD;
  return ::socket(address->family, address->socktype, address->protocol);
}

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
    // Fetches run on the write pool: a few at a time, so that slow sites
    // cannot hold every writer.
    if (in_flight_.fetch_add(1) >= kMaxFetches) {
      in_flight_.fetch_sub(1);
      return absl::ResourceExhaustedError("the broker is checking other sites; retry in a minute");
    }
    absl::StatusOr<std::string> body = FetchOnce(url, max_bytes);
    in_flight_.fetch_sub(1);
    return body;
  }

 private:
  static constexpr int kMaxFetches = 4;

  absl::StatusOr<std::string> FetchOnce(const std::string& url, size_t max_bytes) {
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
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    // Only toward global addresses, unless the operator pointed a name
    // elsewhere on purpose (--challenge_connect_to, for tests).
    if (options_.connect_to.empty()) {
      curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenGlobalSocket);
    }
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
          "the broker could not fetch challenge_url: serve it over https, from a public "
          "address, with a valid certificate");
    }
    if (http_status != 200) {
      return absl::FailedPreconditionError(absl::StrCat("challenge_url answered HTTP ", http_status,
                                                        ": serve the challenge there with 200"));
    }
    return std::move(body.data);
  }

  const WebChallengeOptions options_;
  std::atomic<int> in_flight_{0};
};

}  // namespace

std::unique_ptr<ChallengeFetcher> NewWebChallengeFetcher(WebChallengeOptions options) {
  EnsureCurlReady();
  return std::make_unique<WebChallengeFetcher>(std::move(options));
}

}  // namespace dsr::broker
