#ifndef DSR_CLIENT_IMPORTER_H_
#define DSR_CLIENT_IMPORTER_H_

// Carries out an ImportPlan against a broker: actors, then holdings, then
// links, each over a few calls in flight. Idempotent: what exists already
// is counted, not changed, so a second run creates nothing.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/import_plan.h"

namespace dsr::client {

struct ImportOptions {
  // Calls in flight. Default: 4.
  int threads = 4;
  // REQUIRED. Where the new actors' tokens go, one "ACTOR_ID TOKEN" line
  // each, appended (and synced) to a file of mode 0600 as each actor is made.
  // It is opened before anything is created, so a token is never made
  // without a place to keep it.
  std::string tokens_out;
  // Called now and then with the items done so far and the total, from one
  // thread at a time.
  std::function<void(int done, int total)> progress;
};

struct ImportSummary {
  int actors_created = 0, actors_existing = 0;
  int holdings_created = 0, holdings_existing = 0;
  int links_created = 0, links_existing = 0;
  // The plan's bad rows and the items the broker refused, with their lines.
  std::vector<ImportProblem> problems;
  bool changed() const { return actors_created + holdings_created + links_created > 0; }
};

// Runs the plan with the admin's connection. Stops and returns the error
// when the broker cannot be reached or refuses the credentials; an item the
// broker refuses for itself (a cycle, an invalid field) becomes a problem
// and the rest goes on.
absl::StatusOr<ImportSummary> RunImport(Connection& connection, const ImportPlan& plan,
                                        const ImportOptions& options);

}  // namespace dsr::client

#endif  // DSR_CLIENT_IMPORTER_H_
