#include "broker/notify/curl_ready.h"

#include <curl/curl.h>

#include <mutex>

namespace dsr::broker {

void EnsureCurlReady() {
  static std::once_flag ready;
  std::call_once(ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace dsr::broker
