#ifndef DSR_BROKER_CORE_BROKER_CORE_H_
#define DSR_BROKER_CORE_BROKER_CORE_H_

// The broker without a transport: the store, its keys, the journal, the
// domain services (registry, requests, inbox, audit, backups), the
// background work (overdue and retention sweeps, late-link forwarding), the
// authenticator, the worker pools and the call runner that every transport
// serves its calls through, and the broker's health. Built from one options
// struct by one factory, the only place the object graph is wired:
// BrokerServer (broker/server/) adds gRPC around it, and the tests and the
// fuzz harness build the same core. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/clock.h"
#include "broker/base/limits.h"
#include "broker/identity/verifications.h"
#include "broker/identity/web_challenges.h"
#include "broker/lifecycle/retention.h"
#include "broker/notify/smtp_mailer.h"
#include "storage/rocksdb_store.h"

namespace dsr::broker {

class Attestor;
class AuditLog;
class Authenticator;
class BackupAdmin;
class CallRunner;
class Delayer;
class Executor;
class Inbox;
class InboxLog;
class Journal;
class LateLinkForwarder;
class Notifier;
class OverdueSweeper;
class Pseudonyms;
class Registry;
class RequestVault;
class Requests;

// Per-client limits; a zero rate turns one off.
struct RateLimits {
  // SubmitRequest calls per client address.
  RateLimit submits_per_address{/*per_second=*/1.0, /*burst=*/30};
  // New requests per person (each identifier's pseudonym): 10 an hour.
  RateLimit submits_per_subject{/*per_second=*/10.0 / 3600, /*burst=*/10};
  // Failed authentications per client address; past them, failures are
  // RESOURCE_EXHAUSTED until the bucket refills (a valid credential always
  // passes it).
  RateLimit failed_authentications_per_address{/*per_second=*/0.2, /*burst=*/10};
  // CreateVerification per client address (10 an hour), and per identifier
  // whoever asks (5 an hour: the most codes one mailbox gets).
  RateLimit verifications_per_address{/*per_second=*/10.0 / 3600, /*burst=*/10};
  RateLimit verifications_per_identifier{/*per_second=*/5.0 / 3600, /*burst=*/5};
  // ListRequests per client address, and per verified identifier.
  RateLimit lookups_per_address{/*per_second=*/10.0 / 3600, /*burst=*/10};
  RateLimit lookups_per_identifier{/*per_second=*/10.0 / 3600, /*burst=*/10};
  // ConfirmVerification per client address.
  RateLimit confirmations_per_address{/*per_second=*/0.5, /*burst=*/30};
  // How long the answer to a failed authentication waits. Default: 1 s.
  absl::Duration failed_authentication_delay = absl::Seconds(1);
  // IP addresses of front proxies (deploy/haproxy.cfg) whose
  // `x-forwarded-for` names the real client, for every per-client limit;
  // they are not held to the connections-per-address limit either.
  // Default: none (behind an untrusted peer, the header is ignored).
  std::vector<std::string> trusted_proxies;

  // Turns every per-client limit off (for tests and benchmarks, which make
  // many calls from one address); the delay stays as it is.
  void TurnOff() {
    for (RateLimit* limit :
         {&submits_per_address, &submits_per_subject, &failed_authentications_per_address,
          &verifications_per_address, &verifications_per_identifier, &confirmations_per_address,
          &lookups_per_address, &lookups_per_identifier}) {
      limit->per_second = 0;
    }
  }
};

// Proving who people are (docs/IDENTITY.md).
struct IdentityOptions {
  // Whether a request is filed only once the identity policy is met. Turn
  // it off only for a broker behind an intake that verifies people itself:
  // its requests then carry no attestation. Default: on.
  bool require_verification = true;
  // Email through SMTP; an empty url means the broker sends no email (and
  // cannot verify email addresses).
  SmtpOptions smtp;
  // Text messages: a command given the number and the message on standard
  // input (broker/notify/command_sender.h); empty means none.
  std::string phone_command;
  // Web-site challenges (URL identifiers). Default: on.
  bool verify_web_sites = true;
  WebChallengeOptions web;
  // File of the Ed25519 key that signs attestations: 64 hexadecimal digits,
  // mode 0600, created when missing. Default (empty): `attestation_key` in
  // data_dir.
  std::string attestation_key_file;
  // How long a code may be confirmed, the wrong codes it takes, and how long
  // the token it gives lasts. Defaults: 10 minutes, 5, 30 minutes.
  absl::Duration code_lifetime = absl::Minutes(10);
  int code_attempts = 5;
  absl::Duration token_lifetime = absl::Minutes(30);
  // For tests: senders and a fetcher used instead of the ones above.
  std::shared_ptr<MessageSender> email_sender;
  std::shared_ptr<MessageSender> phone_sender;
  std::shared_ptr<ChallengeFetcher> web_fetcher;
};

struct BrokerCoreOptions {
  // REQUIRED. Directory of the broker's data; the database is in `db/` under it.
  std::string data_dir;
  // File holding the admin token; created with a new token when missing.
  // Default (empty): `admin_token` in data_dir.
  std::string admin_token_file;
  // Files holding the master key (wraps the per-request data keys that
  // encrypt personal data) and the pepper of subject pseudonyms: 64
  // hexadecimal digits each, mode 0600. Default (empty): `master_key` and
  // `pepper` in data_dir; in production keep them on another volume than the
  // data, so that a copy of the data alone reveals nobody. A missing file is
  // created only while the database is new; later, its loss is an error.
  std::string master_key_file;
  std::string pepper_file;
  // Directory of online backups (AdminService); created when missing. Keep
  // it on another disk than data_dir. Default (empty): backups are off.
  std::string backup_dir;
  // Personal data of a completed or cancelled request is destroyed this long
  // after it became so. Default: 180 days.
  absl::Duration retention = kDefaultRetention;
  // Threads that run the domain logic of read calls. Default: 8.
  int read_threads = 8;
  // Threads that run the domain logic of write calls. Default: 8.
  int write_threads = 8;
  // Calls admitted at once, over every transport; one more is refused at
  // once with RESOURCE_EXHAUSTED. With the message limit this bounds what
  // calls hold. Default: 1,000.
  int max_calls_in_flight = 1000;
  // Inbox streams one actor may hold open at once. Default: 8.
  int max_inbox_streams_per_actor = 8;
  // Memory of the store: its block cache, and its memtables (all column
  // families together). With them the broker's memory is bounded whatever
  // the number of records. Defaults: 256 MiB and 64 MiB.
  int block_cache_mib = 256;
  int memtable_mib = 64;
  // Table files the store keeps open, and descriptors it holds in reserve
  // for when the process runs out (storage::StoreOptions). Defaults: 512,
  // 64.
  int max_open_files = 512;
  int store_spare_descriptors = 64;
  // Heap high-water mark: at it, the broker stops serving until the heap is
  // back under 90% of it. 0 turns the watch off. Default: 2 GiB.
  int max_memory_mib = 2048;
  // How often to look for tasks that became overdue and for personal data
  // past its retention. Default: 1 minute.
  absl::Duration overdue_sweep_interval = absl::Minutes(1);
  // Time source. Default (nullptr): the system clock. Must outlive the core.
  const Clock* clock = nullptr;
  // Domain limits. max_reply_bytes is the transport's to set (half its
  // largest message).
  Limits limits;
  RateLimits rate_limits;
  IdentityOptions identity;
  // For tests: changes the store's options just before it opens (e.g. to
  // put it on a file system that simulates power loss). Default: none.
  std::function<void(storage::StoreOptions&)> configure_store;
};

// The database's directory under `data_dir`: where the core opens it and
// where a backup is restored.
std::string DatabaseDir(const std::string& data_dir);

class BrokerCore {
 public:
  // Opens the store, checks the keys and loads the registry. The background
  // work does not run until StartBackground. INVALID_ARGUMENT for bad
  // options; UNAVAILABLE if the data directory cannot be used;
  // FAILED_PRECONDITION for missing or unreadable keys.
  static absl::StatusOr<std::unique_ptr<BrokerCore>> Create(const BrokerCoreOptions& options);

  // Stops the background work (if Shutdown was not called), runs what the
  // pools hold, and closes the store once every write is durable.
  ~BrokerCore();
  BrokerCore(const BrokerCore&) = delete;
  BrokerCore& operator=(const BrokerCore&) = delete;

  // The domain services. Transports call them only through calls().
  Registry& registry();
  Requests& requests();
  Verifications& verifications();
  // Sends the person's queued messages (the sweep runs it; tests too).
  Notifier& notifier();
  const Attestor& attestor() const;
  Inbox& inbox();
  AuditLog& audit();
  BackupAdmin& backups();
  // Admission, authentication, pools and durable answers for every call.
  CallRunner& calls();
  // The pool where reads run (inbox streams send from it).
  Executor& read_pool();
  InboxLog& inbox_log();
  // Sweeps and forwarding, for tests that drive them by hand.
  OverdueSweeper& overdue();
  RetentionSweeper& retention();
  LateLinkForwarder& forwarder();
  // What the core is built on (tests, benchmarks).
  storage::Store& store();
  Journal& journal();
  const RequestVault& vault() const;
  const Pseudonyms& pseudonyms() const;
  const Authenticator& authenticator() const;
  const Clock& clock() const;

  // Path of the admin token file, and whether this start created it.
  const std::string& admin_token_file() const;
  bool admin_token_created() const;

  // Starts the background work: every overdue_sweep_interval, the overdue
  // and retention sweeps; and late-link forwarding that a call left
  // pending, at once when kicked and at every interval (after a restart,
  // say). Idempotent.
  void StartBackground();

  // Whether the broker serves: the store can write and the heap is under
  // its high-water mark; false for good from Shutdown on. `listener` is
  // told every change (and the state now, at once), on any thread, never
  // concurrently; it must not call back into the core. One listener: a
  // second replaces the first.
  void SetServingListener(std::function<void(bool serving)> listener);
  // Told the actor whose token was just rotated (the old one is dead from
  // then on), so that what it opened (streams) is closed. Add before
  // serving.
  void AddTokenRotatedListener(std::function<void(const std::string& actor_id)> listener);

  // Whether the store failed in a way only reopening it clears (its
  // write-ahead log could not be written or synced, on a full disk say):
  // the core refuses writes until it is destroyed and created again on
  // the same data.
  bool NeedsRestart() const;

  // The first step of shutting down: serving turns false for good, the
  // background work is told to stop, and a backup under way is stopped.
  // Calls are still admitted. Idempotent.
  void StopServing();

  // Stops serving (above) if not done yet, then refuses new calls
  // (UNAVAILABLE) and gives the calls in flight up to `grace` to be
  // answered; the background work ends, and the late refusals are answered
  // at once. Returns whether every call was answered in time. Between the
  // two steps the transports close what only they know (their streams).
  // Idempotent.
  bool Shutdown(absl::Duration grace);

 private:
  struct Parts;
  explicit BrokerCore(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_CORE_BROKER_CORE_H_
