#ifndef DSR_BROKER_REQUESTS_ROUTE_PATHS_H_
#define DSR_BROKER_REQUESTS_ROUTE_PATHS_H_

// The path of a task, target ... holding, read back from the request's route
// tree (routing.h): each task names only its `via`, which is another task of
// the request (via_task) or a retired holding passed through (a route node).
// Steps already read are remembered, so the paths of many tasks of one
// request cost one read per holding on them. Not thread-safe: one per call.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/store.h"

namespace dsr::broker {

class RoutePaths {
 public:
  // `store` must outlive this. A chain of vias that comes back to a holding
  // (a damaged tree) is DATA_LOSS.
  RoutePaths(const storage::Store* store, std::string request_id);

  // A task of the request already read: its step needs no read.
  void Know(const dsr::storage::v1::TaskRecord& task);

  // The path of `task`, a task of the request. DATA_LOSS if a step is
  // missing from the store.
  absl::StatusOr<std::vector<std::string>> Of(const dsr::storage::v1::TaskRecord& task);

 private:
  struct Step {
    std::string holding;
    std::string via;
    uint64_t via_task = 0;
    // The whole path, for tasks stored before paths were a tree.
    std::vector<std::string> stored_path;
  };
  absl::StatusOr<const Step*> TaskStep(uint64_t task_number);
  absl::StatusOr<const Step*> NodeStep(const std::string& holding);
  static Step StepOf(const dsr::storage::v1::TaskRecord& task);

  const storage::Store* const store_;
  const std::string request_id_;
  absl::flat_hash_map<uint64_t, Step> tasks_;
  absl::flat_hash_map<std::string, Step> nodes_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_ROUTE_PATHS_H_
