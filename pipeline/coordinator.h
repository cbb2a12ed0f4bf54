// Coordinator: drives one batch through the page stages and commits its dossiers.
//
// It binds one PUSH socket per page stage (the stage's work endpoint) and one PULL socket for
// results; workers, threads or processes, connect to them. Every page is in the store's ledger
// before it is dispatched; each returned page is routed to the next stage, and when the last
// stage is done its result is saved in the ledger. A page is dispatched again when it does not
// come back within the stage timeout (a worker died) and quarantined after max_attempts, or at
// once when a stage reports an error. When every page is processed or quarantined, the sink
// turns the pages into records and commits them in one transaction.
// Rerunning an interrupted batch dispatches only the pages the ledger does not have.
//
// A stop request (SIGINT/SIGTERM) stops new dispatches, waits for the pages in flight, saves
// them and returns with `interrupted` set. Single-threaded: call run() from one thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "pipeline/batch.h"
#include "pipeline/config.h"
#include "pipeline/page.h"
#include "pipeline/store.h"

namespace intake {

struct Progress {
  int total = 0;
  int done = 0;         // processed or quarantined
  int quarantined = 0;
  int in_flight = 0;
};

// Pages at one stage (sent to it and not yet back: queued or being worked on), over the run.
struct QueueDepth {
  double mean = 0;  // time-weighted
  int max = 0;
};

struct RunResult {
  std::string batch_id;
  std::string received_at;
  bool interrupted = false;
  bool already_committed = false;  // the batch had been committed before this run
  int pages_total = 0;
  int pages_resumed = 0;           // taken from the ledger instead of processed again
  std::vector<nlohmann::json> records;
  std::vector<QuarantineEntry> quarantine;
  std::map<std::string, std::vector<double>> stage_ms;  // per stage, the pages processed now
  std::map<std::string, QueueDepth> queue_depth;        // per page stage
  double seconds = 0;
};

class Coordinator {
 public:
  // Files of quarantined pages are copied to quarantine_dir/<batch_id>/.
  Coordinator(const Config& config, Store& store, std::filesystem::path quarantine_dir, PageLoader loader,
              BatchSink sink, zmq::context_t& context);

  // The endpoints as bound (tcp://127.0.0.1:* resolves to a port).
  const std::map<std::string, std::string>& work_endpoints() const { return work_endpoints_; }
  const std::string& results_endpoint() const { return results_endpoint_; }

  RunResult run(const ScanBatch& batch, const std::string& received_at,
                const std::function<void(const Progress&)>& on_progress = {},
                const std::function<void()>& on_tick = {});

 private:
  const Config& config_;
  Store& store_;
  std::filesystem::path quarantine_dir_;
  PageLoader load_;
  BatchSink sink_;
  std::vector<zmq::socket_t> work_;  // per page stage, in kPageStages order
  zmq::socket_t results_;
  std::map<std::string, std::string> work_endpoints_;
  std::string results_endpoint_;
};

}  // namespace intake
