#include "broker/core/broker_core.h"

#include <filesystem>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/access/admin_token.h"
#include "broker/access/authenticator.h"
#include "broker/access/delayer.h"
#include "broker/audit/audit_log.h"
#include "broker/backups/backup_admin.h"
#include "broker/base/executor.h"
#include "broker/base/log.h"
#include "broker/base/memory_watch.h"
#include "broker/core/call_runner.h"
#include "broker/identity/attestor.h"
#include "broker/inbox/inbox.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/lifecycle/notifier.h"
#include "broker/lifecycle/overdue.h"
#include "broker/notify/command_sender.h"
#include "broker/privacy/key_check.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/privacy/secret_file.h"
#include "broker/registry/registry.h"
#include "broker/requests/late_links.h"
#include "broker/requests/requests.h"
#include "common/status_macros.h"
#include "storage/rocksdb_store.h"

namespace dsr::broker {

// Members are destroyed in reverse order: the memory watch and the
// background threads first, then the worker pools (they run what was
// queued, which may use the services and the store), then the services,
// then the store.
struct BrokerCore::Parts {
  SystemClock system_clock;
  const Clock* clock = nullptr;
  std::string admin_token_file;
  bool admin_token_created = false;
  std::unique_ptr<RateLimiter> submits_per_address;
  std::unique_ptr<RateLimiter> submits_per_subject;
  std::unique_ptr<RateLimiter> failed_authentications;
  std::unique_ptr<RateLimiter> verifications_per_address;
  std::unique_ptr<RateLimiter> verifications_per_identifier;
  std::unique_ptr<RateLimiter> confirmations_per_address;
  std::unique_ptr<RateLimiter> lookups_per_address;
  std::unique_ptr<RateLimiter> lookups_per_identifier;
  std::shared_ptr<MessageSender> email_sender;
  std::shared_ptr<MessageSender> phone_sender;
  std::shared_ptr<ChallengeFetcher> web_fetcher;
  std::unique_ptr<Attestor> attestor;
  std::unique_ptr<Verifications> verifications;
  std::unique_ptr<Notifier> notifier;

  // Serving: while the store can write and the heap is under its mark,
  // until shutdown ends it for good. Before the store: its syncing thread,
  // which tells the health listener, runs until the store is destroyed.
  absl::Mutex health_mu;
  bool health_follows_store ABSL_GUARDED_BY(health_mu) = true;
  bool store_healthy ABSL_GUARDED_BY(health_mu) = true;
  bool memory_short ABSL_GUARDED_BY(health_mu) = false;
  std::function<void(bool)> serving_listener ABSL_GUARDED_BY(health_mu);
  void PublishHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu) {
    if (serving_listener) serving_listener(health_follows_store && store_healthy && !memory_short);
  }

  absl::Mutex listeners_mu;
  std::vector<std::function<void(const std::string&)>> token_rotated ABSL_GUARDED_BY(listeners_mu);

  std::unique_ptr<storage::Store> store;
  std::unique_ptr<Pseudonyms> pseudonyms;
  std::unique_ptr<RequestVault> vault;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<InboxLog> inbox_log;
  std::unique_ptr<NewLinkForwarding> link_forwarding;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<LateLinkForwarder> forwarder;
  std::unique_ptr<Requests> requests;
  std::unique_ptr<Inbox> inbox;
  std::unique_ptr<AuditLog> audit_log;
  std::unique_ptr<BackupAdmin> backups;
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<OverdueSweeper> overdue;
  std::unique_ptr<RetentionSweeper> retention;
  // Answers failed authentications late; outlives the pools' work (and runs
  // what waits when it goes).
  std::unique_ptr<Delayer> delayer;
  std::unique_ptr<Executor> read_pool;
  std::unique_ptr<Executor> write_pool;
  std::unique_ptr<CallRunner> runner;

  absl::Duration sweep_interval;
  absl::Notification stop_sweeping;
  std::thread sweep_thread;
  absl::Mutex forward_mu;
  bool forward_kicked ABSL_GUARDED_BY(forward_mu) = false;
  bool forward_stopping ABSL_GUARDED_BY(forward_mu) = false;
  std::thread forward_thread;
  void KickForwarder() {
    absl::MutexLock lock(&forward_mu);
    forward_kicked = true;
  }
  std::unique_ptr<MemoryWatch> memory_watch;

  absl::Mutex shutdown_mu;
  bool started ABSL_GUARDED_BY(shutdown_mu) = false;
  bool stopped_serving ABSL_GUARDED_BY(shutdown_mu) = false;
  bool shut_down ABSL_GUARDED_BY(shutdown_mu) = false;

  // The verification channels, the attestation key and Verifications.
  absl::Status SetUpIdentity(const BrokerCoreOptions& options);
  void SweepLoop();
  void ForwardLoop();
  void StopServing() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shutdown_mu);
};

absl::Status BrokerCore::Parts::SetUpIdentity(const BrokerCoreOptions& options) {
  const IdentityOptions& identity = options.identity;
  email_sender = identity.email_sender;
  if (email_sender == nullptr && !identity.smtp.url.empty()) {
    DSR_ASSIGN_OR_RETURN(email_sender, NewSmtpMailer(identity.smtp));
  }
  phone_sender = identity.phone_sender;
  if (phone_sender == nullptr && !identity.phone_command.empty()) {
    phone_sender = NewCommandSender(identity.phone_command);
  }
  web_fetcher = identity.web_fetcher;
  if (web_fetcher == nullptr && identity.verify_web_sites) {
    web_fetcher = NewWebChallengeFetcher(identity.web);
  }
  const std::string key_file =
      identity.attestation_key_file.empty()
          ? (std::filesystem::path(options.data_dir) / "attestation_key").string()
          : identity.attestation_key_file;
  DSR_ASSIGN_OR_RETURN(std::string seed,
                       LoadOrCreateKeyFile(key_file, "attestation key file", /*may_create=*/true));
  DSR_ASSIGN_OR_RETURN(attestor, Attestor::Create(seed));
  VerificationsOptions v;
  v.store = store.get();
  v.journal = journal.get();
  v.pseudonyms = pseudonyms.get();
  v.email = email_sender.get();
  v.phone = phone_sender.get();
  v.web = web_fetcher.get();
  v.starts_per_address = verifications_per_address.get();
  v.starts_per_identifier = verifications_per_identifier.get();
  v.confirms_per_address = confirmations_per_address.get();
  v.code_lifetime = identity.code_lifetime;
  v.code_attempts = identity.code_attempts;
  v.token_lifetime = identity.token_lifetime;
  v.limits = options.limits;
  DSR_ASSIGN_OR_RETURN(verifications, Verifications::Create(v));
  return absl::OkStatus();
}

void BrokerCore::Parts::SweepLoop() {
  do {
    absl::StatusOr<int> announced = overdue->Sweep();
    if (!announced.ok()) {
      LogError(absl::StrCat("overdue sweep: ", announced.status().ToString()));
    } else if (*announced > 0) {
      LogInfo(absl::StrCat("announced ", *announced, " overdue tasks"));
    }
    absl::StatusOr<int> purged = retention->Sweep();
    if (!purged.ok()) {
      LogError(absl::StrCat("retention sweep: ", purged.status().ToString()));
    } else if (*purged > 0) {
      LogInfo(absl::StrCat("purged the personal data of ", *purged, " requests"));
    }
    absl::StatusOr<int> told = notifier->DeliverDue();
    if (!told.ok()) LogError(absl::StrCat("notifier: ", told.status().ToString()));
    absl::StatusOr<int> expired = verifications->PurgeExpired(clock->Now(), 10000);
    if (!expired.ok()) {
      LogError(absl::StrCat("verification sweep: ", expired.status().ToString()));
    }
  } while (!stop_sweeping.WaitForNotificationWithTimeout(sweep_interval));
}

void BrokerCore::Parts::ForwardLoop() {
  while (true) {
    {
      absl::MutexLock lock(&forward_mu);
      const auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(forward_mu) {
        return forward_kicked || forward_stopping;
      };
      forward_mu.AwaitWithTimeout(absl::Condition(&woken), sweep_interval);
      if (forward_stopping) return;
      forward_kicked = false;
    }
    // Shutdown does not wait for a long backlog: it goes on at the next start.
    absl::StatusOr<int> steps = forwarder->Drain([this] {
      absl::MutexLock lock(&forward_mu);
      return forward_stopping;
    });
    if (!steps.ok()) {
      LogError(absl::StrCat("late-link forwarding: ", steps.status().ToString()));
    } else if (*steps > 0) {
      LogInfo(absl::StrCat("late-link forwarding: ", *steps, " more commits"));
    }
  }
}

std::string DatabaseDir(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "db").string();
}

BrokerCore::BrokerCore(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

BrokerCore::~BrokerCore() {
  Shutdown(absl::ZeroDuration());
  parts_->memory_watch.reset();
  // The writes still queued run (their answers are refused or dropped by
  // their transports); then no more writes come. The last syncs' callbacks
  // (answers, inbox notifications, which hand work to the read pool) run
  // before the read pool goes.
  parts_->write_pool.reset();
  parts_->store->AwaitDurable().IgnoreError();
  parts_->read_pool.reset();
}

absl::StatusOr<std::unique_ptr<BrokerCore>> BrokerCore::Create(const BrokerCoreOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("data_dir is required");
  DSR_ASSIGN_OR_RETURN(absl::flat_hash_set<std::string> trusted_proxies,
                       ParseTrustedProxies(options.rate_limits.trusted_proxies));
  auto parts = std::make_unique<Parts>();
  Parts* p = parts.get();
  const Clock* clock = options.clock != nullptr ? options.clock : &p->system_clock;
  p->clock = clock;
  const Limits& limits = options.limits;
  const RateLimits& rates = options.rate_limits;
  p->submits_per_address = std::make_unique<RateLimiter>(clock, rates.submits_per_address);
  p->submits_per_subject = std::make_unique<RateLimiter>(clock, rates.submits_per_subject);
  p->failed_authentications =
      std::make_unique<RateLimiter>(clock, rates.failed_authentications_per_address);
  p->verifications_per_address =
      std::make_unique<RateLimiter>(clock, rates.verifications_per_address);
  p->verifications_per_identifier =
      std::make_unique<RateLimiter>(clock, rates.verifications_per_identifier);
  p->confirmations_per_address =
      std::make_unique<RateLimiter>(clock, rates.confirmations_per_address);
  p->lookups_per_address = std::make_unique<RateLimiter>(clock, rates.lookups_per_address);
  p->lookups_per_identifier = std::make_unique<RateLimiter>(clock, rates.lookups_per_identifier);

  const auto in_data_dir = [&](const std::string& file, const char* name) {
    return file.empty() ? (std::filesystem::path(options.data_dir) / name).string() : file;
  };
  p->admin_token_file = in_data_dir(options.admin_token_file, "admin_token");
  DSR_ASSIGN_OR_RETURN(AdminToken admin, LoadOrCreateAdminToken(p->admin_token_file));
  p->admin_token_created = admin.created;

  storage::StoreOptions store_options;
  store_options.path = DatabaseDir(options.data_dir);
  store_options.block_cache_bytes = static_cast<size_t>(options.block_cache_mib) << 20;
  store_options.total_write_buffer_bytes = static_cast<size_t>(options.memtable_mib) << 20;
  store_options.max_open_files = options.max_open_files;
  store_options.reserved_descriptors = options.store_spare_descriptors;
  if (options.configure_store) options.configure_store(store_options);
  // Keys may be made only for a database that holds nothing encrypted yet.
  std::error_code ec;
  const bool new_database =
      !std::filesystem::exists(std::filesystem::path(store_options.path) / "CURRENT", ec);
  if (options.master_key_file.empty() || options.pepper_file.empty()) {
    LogInfo(
        "the master key or pepper file is in the data directory (the default): a copy of the "
        "directory then holds what decrypts it; keep them apart (--master_key_file, "
        "--pepper_file)");
  }
  DSR_ASSIGN_OR_RETURN(std::string master_key,
                       LoadOrCreateKeyFile(in_data_dir(options.master_key_file, "master_key"),
                                           "master key file", new_database));
  DSR_ASSIGN_OR_RETURN(
      std::string pepper,
      LoadOrCreateKeyFile(in_data_dir(options.pepper_file, "pepper"), "pepper file", new_database));
  DSR_ASSIGN_OR_RETURN(p->store, storage::RocksDbStore::Open(store_options));
  p->pseudonyms = std::make_unique<Pseudonyms>(std::move(pepper));
  DSR_RETURN_IF_ERROR(VerifyOrRecordKeys(*p->store, master_key, *p->pseudonyms));
  p->vault = std::make_unique<RequestVault>(p->store.get(), std::move(master_key));
  p->inbox_log = std::make_unique<InboxLog>(p->store.get());
  DSR_ASSIGN_OR_RETURN(p->journal, Journal::Open(p->store.get(), clock, p->inbox_log.get()));
  p->link_forwarding = std::make_unique<NewLinkForwarding>(p->store.get(), limits);
  DSR_ASSIGN_OR_RETURN(p->registry,
                       Registry::Create(RegistryOptions{
                           p->store.get(), clock, p->journal.get(), p->inbox_log.get(), limits,
                           p->link_forwarding.get(), [p] { p->KickForwarder(); },
                           [p](const std::string& actor_id) {
                             absl::MutexLock lock(&p->listeners_mu);
                             for (const auto& listener : p->token_rotated) listener(actor_id);
                           }}));
  p->forwarder = std::make_unique<LateLinkForwarder>(p->store.get(), p->journal.get(),
                                                     &p->registry->graph(), limits);
  DSR_RETURN_IF_ERROR(p->SetUpIdentity(options));
  RequestsOptions requests;
  requests.store = p->store.get();
  requests.clock = clock;
  requests.journal = p->journal.get();
  requests.inbox = p->inbox_log.get();
  requests.graph = &p->registry->graph();
  requests.vault = p->vault.get();
  requests.pseudonyms = p->pseudonyms.get();
  requests.submits_per_address = p->submits_per_address.get();
  requests.submits_per_subject = p->submits_per_subject.get();
  requests.lookups_per_address = p->lookups_per_address.get();
  requests.lookups_per_identifier = p->lookups_per_identifier.get();
  requests.verifications = p->verifications.get();
  requests.attestor = p->attestor.get();
  requests.require_verification = options.identity.require_verification;
  requests.limits = limits;
  DSR_ASSIGN_OR_RETURN(p->requests, Requests::Create(requests));
  DSR_ASSIGN_OR_RETURN(p->inbox, Inbox::Create(InboxOptions{p->store.get(), clock, p->journal.get(),
                                                            p->inbox_log.get(), p->vault.get(),
                                                            p->pseudonyms.get(), limits}));
  p->audit_log = std::make_unique<AuditLog>(p->store.get(), p->journal.get(), limits);
  DSR_ASSIGN_OR_RETURN(p->backups,
                       BackupAdmin::Create(BackupAdminOptions{p->store.get(), p->journal.get(),
                                                              options.backup_dir, limits}));
  p->authenticator = std::make_unique<Authenticator>(
      p->store.get(), admin.digest, p->failed_authentications.get(), trusted_proxies);
  p->overdue = std::make_unique<OverdueSweeper>(p->store.get(), p->journal.get());
  p->retention = std::make_unique<RetentionSweeper>(p->store.get(), p->journal.get(),
                                                    p->vault.get(), options.retention);
  p->notifier = std::make_unique<Notifier>(p->store.get(), p->journal.get(), p->vault.get(),
                                           p->email_sender.get(), clock);
  p->delayer = std::make_unique<Delayer>();
  p->read_pool = std::make_unique<Executor>(options.read_threads);
  p->write_pool = std::make_unique<Executor>(options.write_threads);
  p->runner = std::make_unique<CallRunner>(CallRunnerOptions{
      p->read_pool.get(), p->write_pool.get(), p->authenticator.get(), p->store.get(),
      p->delayer.get(), options.max_calls_in_flight, rates.failed_authentication_delay});
  p->sweep_interval = options.overdue_sweep_interval;

  // A store that cannot write (a full disk) stops serving until it
  // recovers; the inbox events that the failure held back become
  // deliverable then.
  p->store->AddHealthListener([p](const absl::Status& health) {
    absl::MutexLock lock(&p->health_mu);
    if (!p->health_follows_store) return;
    if (health.ok()) {
      LogInfo("the store writes again");
      p->inbox_log->Recovered();
    } else {
      LogError(absl::StrCat("not serving: ", health.message()));
    }
    p->store_healthy = health.ok();
    p->PublishHealth();
  });
  {
    // The store is open and the graph loaded: ready (unless the store has
    // already failed, which the listener may have missed).
    absl::MutexLock lock(&p->health_mu);
    p->store_healthy = p->store->health().ok();
  }
  p->memory_watch = std::make_unique<MemoryWatch>(
      static_cast<size_t>(options.max_memory_mib) << 20, absl::Seconds(1), [p](bool over) {
        absl::MutexLock lock(&p->health_mu);
        if (over) {
          LogError(
              "not serving: the heap reached --max_memory_mib (a flood of calls or streams?); "
              "serving again once it is back under 90% of it");
        } else {
          LogInfo("the heap is back under its high-water mark");
        }
        p->memory_short = over;
        p->PublishHealth();
      });
  return std::unique_ptr<BrokerCore>(new BrokerCore(std::move(parts)));
}

Registry& BrokerCore::registry() { return *parts_->registry; }
Requests& BrokerCore::requests() { return *parts_->requests; }
Verifications& BrokerCore::verifications() { return *parts_->verifications; }
Notifier& BrokerCore::notifier() { return *parts_->notifier; }
const Attestor& BrokerCore::attestor() const { return *parts_->attestor; }
Inbox& BrokerCore::inbox() { return *parts_->inbox; }
AuditLog& BrokerCore::audit() { return *parts_->audit_log; }
BackupAdmin& BrokerCore::backups() { return *parts_->backups; }
CallRunner& BrokerCore::calls() { return *parts_->runner; }
Executor& BrokerCore::read_pool() { return *parts_->read_pool; }
InboxLog& BrokerCore::inbox_log() { return *parts_->inbox_log; }
OverdueSweeper& BrokerCore::overdue() { return *parts_->overdue; }
RetentionSweeper& BrokerCore::retention() { return *parts_->retention; }
LateLinkForwarder& BrokerCore::forwarder() { return *parts_->forwarder; }
storage::Store& BrokerCore::store() { return *parts_->store; }
Journal& BrokerCore::journal() { return *parts_->journal; }
const RequestVault& BrokerCore::vault() const { return *parts_->vault; }
const Pseudonyms& BrokerCore::pseudonyms() const { return *parts_->pseudonyms; }
const Authenticator& BrokerCore::authenticator() const { return *parts_->authenticator; }
const Clock& BrokerCore::clock() const { return *parts_->clock; }
const std::string& BrokerCore::admin_token_file() const { return parts_->admin_token_file; }
bool BrokerCore::admin_token_created() const { return parts_->admin_token_created; }
bool BrokerCore::NeedsRestart() const { return parts_->store->needs_reopen(); }

void BrokerCore::StartBackground() {
  Parts* p = parts_.get();
  absl::MutexLock lock(&p->shutdown_mu);
  if (p->started || p->shut_down) return;
  p->started = true;
  p->sweep_thread = std::thread([p] { p->SweepLoop(); });
  p->forward_thread = std::thread([p] { p->ForwardLoop(); });
}

void BrokerCore::SetServingListener(std::function<void(bool)> listener) {
  absl::MutexLock lock(&parts_->health_mu);
  parts_->serving_listener = std::move(listener);
  parts_->PublishHealth();
}

void BrokerCore::AddTokenRotatedListener(std::function<void(const std::string&)> listener) {
  absl::MutexLock lock(&parts_->listeners_mu);
  parts_->token_rotated.push_back(std::move(listener));
}

void BrokerCore::StopServing() {
  absl::MutexLock lock(&parts_->shutdown_mu);
  parts_->StopServing();
}

void BrokerCore::Parts::StopServing() {
  if (stopped_serving) return;
  stopped_serving = true;
  {
    absl::MutexLock health_lock(&health_mu);
    health_follows_store = false;
    PublishHealth();
    serving_listener = nullptr;
  }
  // A sweep under way (a retention scrub may compact for a while) finishes
  // meanwhile, and no new one starts.
  stop_sweeping.Notify();
  {
    absl::MutexLock forward_lock(&forward_mu);
    forward_stopping = true;
  }
  // A backup can take minutes: stop it rather than wait (its call fails).
  backups->Stop();
}

bool BrokerCore::Shutdown(absl::Duration grace) {
  Parts* p = parts_.get();
  absl::MutexLock lock(&p->shutdown_mu);
  if (p->shut_down) return true;
  p->shut_down = true;
  p->StopServing();
  const bool drained = p->runner->Drain(grace);
  if (p->sweep_thread.joinable()) p->sweep_thread.join();
  if (p->forward_thread.joinable()) p->forward_thread.join();
  // Late refusals go now: nothing may wait past the transports.
  p->delayer->Flush();
  return drained;
}

}  // namespace dsr::broker
