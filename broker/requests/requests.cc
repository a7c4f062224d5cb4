// Requests: construction, reading, authorisation.

#include "broker/requests/requests.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/requests/request_records.h"
#include "broker/requests/route_paths.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/v1/holding.pb.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

absl::StatusOr<std::unique_ptr<Requests>> Requests::Create(const RequestsOptions& options) {
  if (options.store == nullptr || options.clock == nullptr || options.journal == nullptr ||
      options.inbox == nullptr || options.graph == nullptr || options.vault == nullptr ||
      options.pseudonyms == nullptr || options.verifications == nullptr ||
      options.attestor == nullptr) {
    return absl::InvalidArgumentError(
        "requests need a store, clock, journal, inbox, graph, vault, pseudonyms, verifications "
        "and an attestor");
  }
  return std::unique_ptr<Requests>(new Requests(options));
}

absl::Status Requests::Read(absl::string_view request_id, RequestRecord* request,
                            std::vector<TaskRecord>* tasks) const {
  absl::Status read =
      options_.store->Get(ColumnFamily::kRequests, storage::keys::Request(request_id), request);
  if (absl::IsNotFound(read)) return absl::NotFoundError("request not found");
  DSR_RETURN_IF_ERROR(read);
  tasks->clear();
  tasks->reserve(request->task_count());
  return storage::ScanRecords<TaskRecord>(*options_.store, ColumnFamily::kTasks,
                                          storage::keys::TasksOf(request_id), "", "task",
                                          [&](absl::string_view, TaskRecord& task) {
                                            tasks->push_back(std::move(task));
                                            return true;
                                          });
}

absl::StatusOr<std::string> Requests::Authorize(const Principal& principal,
                                                absl::string_view name) const {
  switch (principal.kind()) {
    case Principal::Kind::kAdmin:
      return ParseRequestName(name, "name");
    case Principal::Kind::kReceipt: {
      DSR_ASSIGN_OR_RETURN(std::string request_id, ParseRequestName(name, "name"));
      // Another request's receipt sees this one as missing.
      if (principal.HoldsReceipt(request_id)) return request_id;
      return absl::NotFoundError("request not found");
    }
    case Principal::Kind::kActor:
    case Principal::Kind::kBroker:
      return absl::PermissionDeniedError(
          "requests are opened with their receipt token, not an actor's");
    case Principal::Kind::kAnonymous:
      break;
  }
  return absl::UnauthenticatedError("this method needs the request's receipt token");
}

absl::StatusOr<std::vector<std::string>> Requests::ExpandTarget(const std::string& target,
                                                                absl::string_view field) const {
  if (absl::StatusOr<HoldingName> holding = ParseHoldingName(target, field); holding.ok()) {
    if (!options_.graph->HasHolding(target)) {
      return absl::NotFoundError(absl::StrCat(field, " not found"));
    }
    return std::vector<std::string>{target};
  }
  absl::StatusOr<std::string> actor = ParseActorName(target, field);
  if (!actor.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be actors/{actor}/holdings/{holding} or actors/{actor}"));
  }
  DSR_ASSIGN_OR_RETURN(
      bool exists, options_.store->Contains(ColumnFamily::kActors, storage::keys::Actor(*actor)));
  if (!exists) return absl::NotFoundError(absl::StrCat(field, " not found"));
  std::vector<std::string> holdings;
  DSR_RETURN_IF_ERROR(storage::ScanRecords<dsr::storage::v1::HoldingRecord>(
      *options_.store, ColumnFamily::kHoldings, storage::keys::HoldingsOf(*actor), "", "holding",
      [&](absl::string_view, const dsr::storage::v1::HoldingRecord& holding) {
        if (holding.state() == dsr::v1::Holding::ACTIVE) {
          holdings.push_back(FormatHoldingName(holding.actor_id(), holding.holding_id()));
        }
        return true;
      }));
  return holdings;
}

namespace {

std::string TaskPageQuery(absl::string_view request_id) {
  return QueryFingerprint("GetRequest", request_id);
}

}  // namespace

absl::Status Requests::FillResponse(const RequestRecord& request,
                                    const std::vector<TaskRecord>& tasks, uint64_t after,
                                    int page_size, dsr::v1::Request* out_request,
                                    google::protobuf::RepeatedPtrField<dsr::v1::Task>* out_tasks,
                                    std::string* next_page_token,
                                    const dsr::storage::v1::SubjectRecord* subject,
                                    const RoutePlan* plan) const {
  std::optional<dsr::storage::v1::SubjectRecord> opened;
  if (subject == nullptr) {
    DSR_ASSIGN_OR_RETURN(opened, options_.vault->OpenSubject(request));
    if (opened.has_value()) subject = &*opened;
  }
  const absl::Time now = options_.clock->Now();
  *out_request = RequestFromRecord(request, subject, tasks, now);
  out_tasks->Clear();
  next_page_token->clear();
  // Tasks are numbered 1..n in order: the page starts at index `after`.
  const size_t first = std::min<size_t>(after, tasks.size());
  size_t end = std::min<size_t>(tasks.size(), first + static_cast<size_t>(page_size));
  RoutePaths paths(options_.store, request.request_id());
  if (plan == nullptr) {
    for (const TaskRecord& task : tasks) paths.Know(task);
  }
  size_t bytes = out_request->ByteSizeLong();
  for (size_t i = first; i < end; ++i) {
    dsr::v1::Task* out = out_tasks->Add();
    *out = TaskFromRecord(tasks[i], request, nullptr, now, TaskView::kPerson);
    if (plan != nullptr) {
      for (std::string& step : plan->PathOf(tasks[i].holding())) *out->add_path() = std::move(step);
    } else {
      DSR_ASSIGN_OR_RETURN(std::vector<std::string> path, paths.Of(tasks[i]));
      for (std::string& step : path) *out->add_path() = std::move(step);
    }
    // At least one task, then as many as fit the reply's budget.
    bytes += ReplyBytes(*out);
    if (bytes >= options_.limits.max_reply_bytes && i + 1 < end) {
      end = i + 1;
      break;
    }
  }
  if (end < tasks.size()) {
    *next_page_token = EncodePageToken(absl::StrCat(tasks[end - 1].task_number()),
                                       TaskPageQuery(request.request_id()));
  }
  return absl::OkStatus();
}

absl::Status Requests::Get(const Principal& principal, const dsr::v1::GetRequestRequest& request,
                           dsr::v1::GetRequestResponse* response) const {
  DSR_ASSIGN_OR_RETURN(std::string request_id, Authorize(principal, request.name()));
  if (request.page_size() < 0 || request.page_size() > options_.limits.max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", options_.limits.max_page_size));
  }
  const int page_size =
      request.page_size() == 0 ? options_.limits.max_page_size : request.page_size();
  DSR_ASSIGN_OR_RETURN(std::string last,
                       DecodePageToken(request.page_token(), TaskPageQuery(request_id)));
  uint64_t after = 0;
  if (!last.empty() && !absl::SimpleAtoi(last, &after)) {
    return absl::InvalidArgumentError("page_token is malformed");
  }
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  return FillResponse(record, tasks, after, page_size, response->mutable_request(),
                      response->mutable_tasks(), response->mutable_next_page_token());
}

}  // namespace dsr::broker
