#include "client/importer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace dsr::client {
namespace {

// What one item's call came to.
enum class Result { kCreated, kExisting, kRefused };

bool Fatal(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsUnauthenticated(status) ||
         absl::IsPermissionDenied(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsInternal(status) || absl::IsDataLoss(status);
}

class Run {
 public:
  Run(const ImportOptions& options, int total) : options_(options), total_(total) {}

  // Runs `item(i)` for i in [0, n) on the worker threads.
  absl::Status ForEach(int n, const std::function<absl::StatusOr<Result>(int)>& item, int* created,
                       int* existing) {
    std::atomic<int> next{0}, made{0}, found{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < std::max(options_.threads, 1); ++t) {
      workers.emplace_back([&] {
        for (int i = next++; i < n && !stopped_.load(); i = next++) {
          absl::StatusOr<Result> result = item(i);
          if (!result.ok()) {
            Stop(result.status());
          } else if (*result == Result::kCreated) {
            ++made;
          } else if (*result == Result::kExisting) {
            ++found;
          }
          Tick();
        }
      });
    }
    for (std::thread& w : workers) w.join();
    *created += made;
    *existing += found;
    absl::MutexLock lock(&mu_);
    return fatal_;
  }

  // Sorts an item's status: created, there already, refused (a problem), or
  // fatal (returned).
  absl::StatusOr<Result> Classify(const absl::Status& status, const std::string& file, int line,
                                  const std::string& what) {
    if (status.ok()) return Result::kCreated;
    if (absl::IsAlreadyExists(status)) return Result::kExisting;
    if (Fatal(status)) return status;
    absl::MutexLock lock(&mu_);
    problems_.push_back({file, line, absl::StrCat(what, ": ", status.message())});
    return Result::kRefused;
  }

  // Appends `actor_id`'s token to the tokens file at once, synced.
  absl::Status KeepToken(int fd, const std::string& actor_id, const std::string& token) {
    const std::string line = absl::StrCat(actor_id, " ", token, "\n");
    absl::MutexLock lock(&mu_);
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fsync(fd) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot write the token of ", actor_id,
                                                 "; rotate it with dsr admin actor rotate-token"));
    }
    return absl::OkStatus();
  }
  std::vector<ImportProblem> problems() {
    absl::MutexLock lock(&mu_);
    return problems_;
  }

 private:
  void Stop(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    if (fatal_.ok()) fatal_ = status;
    stopped_ = true;
  }
  void Tick() {
    const int done = ++done_;
    if (options_.progress && (done % 50 == 0 || done == total_)) {
      absl::MutexLock lock(&progress_mu_);
      // Ticks may arrive out of order across threads: only move forward.
      if (done <= shown_) return;
      shown_ = done;
      options_.progress(done, total_);
    }
  }

  const ImportOptions& options_;
  const int total_;
  std::atomic<int> done_{0};
  std::atomic<bool> stopped_{false};
  absl::Mutex progress_mu_;
  int shown_ ABSL_GUARDED_BY(progress_mu_) = 0;
  absl::Mutex mu_;
  absl::Status fatal_ ABSL_GUARDED_BY(mu_);
  std::vector<ImportProblem> problems_ ABSL_GUARDED_BY(mu_);
};

// The tokens file, opened for appending with mode 0600.
absl::StatusOr<int> OpenPrivate(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("a file for the new tokens is needed");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || ::fchmod(fd, 0600) != 0) {
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return fd;
}

// A fixed request id per actor, so that a retried creation is recognised.
std::string ActorRequestId(const std::string& actor_id) {
  std::string id = "import-";
  for (char c : actor_id) id.push_back(c == '-' ? '_' : c);
  return id.substr(0, 64);
}

}  // namespace

absl::StatusOr<ImportSummary> RunImport(Connection& connection, const ImportPlan& plan,
                                        const ImportOptions& options) {
  const int total = static_cast<int>(plan.actors.size() + plan.holdings.size() + plan.links.size());
  Run run(options, total);
  ImportSummary summary;
  absl::StatusOr<int> tokens_fd = OpenPrivate(options.tokens_out);
  if (!tokens_fd.ok()) return tokens_fd.status();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{*tokens_fd};

  absl::Status status = run.ForEach(
      static_cast<int>(plan.actors.size()),
      [&](int i) -> absl::StatusOr<Result> {
        const PlannedActor& a = plan.actors[i];
        dsr::v1::CreateActorRequest request;
        request.set_actor_id(a.actor_id);
        request.mutable_actor()->set_display_name(a.display_name);
        request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
        request.mutable_actor()->set_contact_email(
            absl::StrCat("privacy@", a.actor_id, ".invalid"));
        request.set_request_id(ActorRequestId(a.actor_id));
        absl::StatusOr<dsr::v1::CreateActorResponse> made = connection.CreateActor(request);
        if (made.ok() && made->token().empty()) return Result::kExisting;  // a replayed creation
        if (made.ok()) {
          absl::Status kept = run.KeepToken(*tokens_fd, a.actor_id, made->token());
          if (!kept.ok()) return kept;
        }
        return run.Classify(made.status(), "", 0, absl::StrCat("organisation ", a.actor_id));
      },
      &summary.actors_created, &summary.actors_existing);
  if (!status.ok()) return status;

  status = run.ForEach(
      static_cast<int>(plan.holdings.size()),
      [&](int i) -> absl::StatusOr<Result> {
        const PlannedHolding& h = plan.holdings[i];
        dsr::v1::CreateHoldingRequest request;
        request.set_parent(absl::StrCat("actors/", h.actor_id));
        request.set_holding_id(h.holding_id);
        request.mutable_holding()->set_kind(h.kind);
        request.mutable_holding()->set_title(h.title);
        request.mutable_holding()->set_license(h.license);
        request.mutable_holding()->add_external_ids(h.node_id);
        return run.Classify(connection.CreateHolding(request).status(), plan.nodes_file, h.line,
                            absl::StrCat("holding ", h.node_id));
      },
      &summary.holdings_created, &summary.holdings_existing);
  if (!status.ok()) return status;

  status = run.ForEach(
      static_cast<int>(plan.links.size()),
      [&](int i) -> absl::StatusOr<Result> {
        const PlannedLink& l = plan.links[i];
        dsr::v1::CreateLinkRequest request;
        request.mutable_link()->set_child(plan.holdings[l.child].name());
        request.mutable_link()->set_parent(plan.holdings[l.parent].name());
        request.mutable_link()->set_relation(l.relation);
        return run.Classify(connection.CreateLink(request).status(), plan.edges_file, l.line,
                            "link");
      },
      &summary.links_created, &summary.links_existing);
  if (!status.ok()) return status;

  summary.problems = plan.problems;
  for (ImportProblem& p : run.problems()) summary.problems.push_back(std::move(p));
  return summary;
}

}  // namespace dsr::client
