#ifndef DSR_BROKER_NOTIFY_CURL_READY_H_
#define DSR_BROKER_NOTIFY_CURL_READY_H_

namespace dsr::broker {

// Initialises libcurl once per process (curl_global_init is not
// thread-safe); every user of libcurl calls this first. Thread-safe.
void EnsureCurlReady();

}  // namespace dsr::broker

#endif  // DSR_BROKER_NOTIFY_CURL_READY_H_
