// Coordinator: drives one batch at a time through the page stages, and keeps its ledger.
//
// It binds one PUSH socket per page stage (the stage's work endpoint) and one PULL socket for
// results; workers, threads or processes, connect to them. Every page is in the ledger before
// it is dispatched; each returned page is routed to the next stage, and when the last stage is
// done its result is saved in the ledger. Each dispatch carries a random token that the answer
// must echo. A page is dispatched again when its worker died on it (the crash journal says so)
// or it did not come back within the stage timeout, and quarantined after max_attempts such
// failures, or at once when a stage reports an error. A page that was only in flight when the
// whole run died is not charged. When every page is processed or quarantined, run() returns
// them in scan order (`complete`); what they become (dossiers, dispatches) is the caller's.
// Rerunning an interrupted batch dispatches only the pages the ledger does not have.
//
// One Coordinator serves any number of batches, one after another: its sockets stay bound and
// its workers stay connected. A stop request (SIGINT/SIGTERM, or request_stop()) stops new
// dispatches, waits for the pages in flight, saves them and returns with `interrupted` set.
// Single-threaded: call run() from one thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "pipeline/batch.h"
#include "pipeline/config.h"
#include "pipeline/crash_journal.h"
#include "pipeline/curve.h"
#include "pipeline/env.h"
#include "pipeline/ledger.h"
#include "pipeline/page.h"

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
  int results_refused = 0;         // answers to no dispatch in flight (late, replayed or forged)
  // Every page processed or quarantined, in scan order (empty when interrupted or committed
  // before): ready to become records.
  std::vector<PageItem> pages;
  std::vector<QuarantineEntry> quarantine;
  std::map<std::string, std::vector<double>> stage_ms;  // per stage, the pages processed now
  std::map<std::string, QueueDepth> queue_depth;        // per page stage
  double seconds = 0;
};

// How a coordinator runs: its stages and sockets, and the rules of attempts and timeouts.
struct CoordinatorOptions {
  std::vector<std::string> stages;               // the page stages in pipeline order
  std::map<std::string, std::string> endpoints;  // per stage, where its work is handed out
  std::string results;                           // where workers return pages
  bool tcp = false;                              // CURVE (curve) on every socket
  CurveSetup curve;
  int max_in_flight = 8;
  std::chrono::seconds stage_timeout{600};
  int max_attempts = 3;
  std::chrono::seconds drain_timeout{120};     // after a stop request, for the pages in flight
  std::size_t result_frame_bytes = 64u << 20;  // ZMQ_MAXMSGSIZE of the results socket
};

// The options of a config's transport and stages: the caller adds the frame limit (it knows
// its stages' images) and the CURVE keys.
CoordinatorOptions coordinator_options(const Config& config);

// What a caller follows of a run: progress about every 100 ms, and on_tick, called as often,
// returns the stages that lost a worker process since the last call (their pages in flight went
// down with it and are dispatched again, uncharged; the page that killed it, if any, is charged
// through the crash journal).
struct RunHooks {
  std::function<void(const Progress&)> on_progress;
  std::function<std::vector<std::string>()> on_tick;
};

class Coordinator {
 public:
  // Files of quarantined pages are copied to quarantine_dir/<batch_id>/. With a journal, a
  // page is charged an attempt only when it killed a worker (pipeline/crash_journal.h) or got
  // no answer in stage_timeout; without one, only the latter.
  Coordinator(CoordinatorOptions options, Ledger& ledger, std::filesystem::path quarantine_dir, PageLoader loader,
              zmq::context_t& context, CrashJournal* journal = nullptr, const Env& env = Env::real());

  // The endpoints as bound (tcp://127.0.0.1:* resolves to a port).
  const std::map<std::string, std::string>& work_endpoints() const { return work_endpoints_; }
  const std::string& results_endpoint() const { return results_endpoint_; }
  const CoordinatorOptions& options() const { return options_; }

  RunResult run(const ScanBatch& batch, const std::string& received_at, const RunHooks& hooks = {});

 private:
  CoordinatorOptions options_;
  Ledger& ledger_;
  std::filesystem::path quarantine_dir_;
  PageLoader load_;
  CrashJournal* journal_;
  const Env& env_;
  class BatchRun;
  void take_requests(std::size_t stage);
  void poll_all(std::chrono::milliseconds timeout);

  std::vector<zmq::socket_t> work_;           // per page stage, in options_.stages order (ROUTER)
  std::vector<std::set<std::string>> ready_;  // per page stage, the workers that asked for a page
  zmq::socket_t results_;
  std::map<std::string, std::string> work_endpoints_;
  std::string results_endpoint_;
};

}  // namespace intake
