// BatchService: the long-lived heart of intake. Built once from a config, it opens the store,
// loads the catalog, calendar and provinces, builds the stages and starts their workers
// (threads for inproc; `intake stage` child processes for tcp with launch: process; nothing
// for launch: external, where workers are started elsewhere) and binds the coordinator's
// sockets. Then it runs any number of batches, one at a time, in the order they were given:
//
//   scanner files --Ingest--> ScanBatch --Coordinator--> pages (ledger) --DossierAssembler-->
//   records --Store::commit_dossiers--> committed dossiers
//
// `intake run`, `intake watch`, `intake dispatch`, `intake eval` and `intake serve` are thin
// shells over it. Every batch runs on the service's own thread (the coordinator and the store
// are single-threaded); run() waits for its batch, submit() returns at once. A listener follows
// a batch from queued to finished (a progress bar, a web page, a log).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/config.h"
#include "pipeline/coordinator.h"
#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/record.h"

namespace intake {

struct BatchRequest {
  std::vector<std::filesystem::path> inputs;
  std::string received_at;  // ISO 8601 with offset
  // intake: the batch is incoming mail and becomes dossiers (received_at: when it arrived);
  // dispatch: outbound envelopes with results, linked to their dossiers (received_at: when sent).
  enum class Kind { intake, dispatch } kind = Kind::intake;
  // A hot-folder entry: when the input's last batch was made of a prefix of these files (the
  // scanner's copy paused past the completion rule), this run extends that batch (its dossiers
  // are updated in place, same codes) instead of starting a second one that would double them.
  bool extend_grown = false;
};

struct BatchOutcome {
  RunResult run;
  // As committed, in scan order: an intake batch's dossiers with why their pages were grouped
  // (intake.explanation/1, parallel), or a dispatch batch's dispatches (intake.dispatch/1).
  std::vector<DossierRecord> dossiers;
  std::vector<nlohmann::json> explanations;
  std::vector<nlohmann::json> dispatches;
  std::vector<SkippedFile> skipped_files;
  std::string store_path;
};

struct BatchEvent {
  enum class Kind { queued, started, progress, finished, failed } kind;
  std::uint64_t ticket = 0;
  std::string batch_id;                   // known from started on
  Progress progress;                      // progress, finished
  const BatchOutcome* outcome = nullptr;  // finished
  std::string error;                      // failed
  std::string input;                      // queued, started: the first input (a file or folder)
};
using BatchListener = std::function<void(const BatchEvent&)>;

struct ServiceOptions {
  std::filesystem::path store;  // empty: the config's
};

class BatchService {
 public:
  // Throws ConfigError (a catalog, calendar or model that cannot be loaded, a port in use...).
  explicit BatchService(const Config& config, ServiceOptions options = {});
  ~BatchService();  // finishes the batch running, drops the queued ones, stops the workers
  BatchService(const BatchService&) = delete;
  BatchService& operator=(const BatchService&) = delete;

  // Runs one batch (after those queued before it) and returns how it went; rethrows what made
  // it fail (a store error, say).
  BatchOutcome run(const BatchRequest& request, const BatchListener& listener = {});
  // Queues a batch; its listener hears of it on the service's thread. Returns its ticket.
  std::uint64_t submit(BatchRequest request, BatchListener listener = {});
  // Batches queued or running.
  std::size_t pending() const;
  // Hears every batch's events after its own listener (a web page's live view, a log); on the
  // thread that raised them (the caller's for queued, the service's after).
  void observe(BatchListener observer);

  const std::string& store_path() const;
  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace intake
