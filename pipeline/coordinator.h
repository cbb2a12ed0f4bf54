// Coordinator: drives one batch through the page stages and commits its dossiers.
//
// It binds one PUSH socket per page stage (the stage's work endpoint) and one PULL socket for
// results; workers, threads or processes, connect to them. Every page is in the store's ledger
// before it is dispatched; each returned page is routed to the next stage, and when the last
// stage is done its result is saved in the ledger. Each dispatch carries a random token that the
// answer must echo. A page is dispatched again when its worker died on it (the crash journal
// says so) or it did not come back within the stage timeout, and quarantined after max_attempts
// such failures, or at once when a stage reports an error. A page that was only in flight when
// the whole run died is not charged. When every page is processed or quarantined, the sink
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
#include "pipeline/crash_journal.h"
#include "pipeline/curve.h"
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
  int results_refused = 0;         // answers to no dispatch in flight (late, replayed or forged)
  std::vector<nlohmann::json> records;
  std::vector<QuarantineEntry> quarantine;
  std::map<std::string, std::vector<double>> stage_ms;  // per stage, the pages processed now
  std::map<std::string, QueueDepth> queue_depth;        // per page stage
  double seconds = 0;
};

// The largest frame a stage worker may send back (ZMQ_MAXMSGSIZE of the results socket).
std::size_t result_frame_limit(const Config& config);
// The largest frame the coordinator sends a stage worker (ZMQ_MAXMSGSIZE of its work socket).
std::size_t work_frame_limit(const Config& config);

class Coordinator {
 public:
  // Files of quarantined pages are copied to quarantine_dir/<batch_id>/. With a journal, a
  // page is charged an attempt only when it killed a worker (pipeline/crash_journal.h) or got
  // no answer in stage_timeout_s; without one, only the latter.
  Coordinator(const Config& config, Store& store, std::filesystem::path quarantine_dir, PageLoader loader,
              BatchSink sink, zmq::context_t& context, CrashJournal* journal = nullptr,
              const CurveSetup& curve = {});

  // The endpoints as bound (tcp://127.0.0.1:* resolves to a port).
  const std::map<std::string, std::string>& work_endpoints() const { return work_endpoints_; }
  const std::string& results_endpoint() const { return results_endpoint_; }

  // on_tick, called about every 100 ms, returns the stages that lost a worker process since the
  // last call: their pages in flight went down with it and are dispatched again, uncharged (the
  // page that killed it, if any, is charged through the crash journal).
  RunResult run(const ScanBatch& batch, const std::string& received_at,
                const std::function<void(const Progress&)>& on_progress = {},
                const std::function<std::vector<std::string>()>& on_tick = {});

 private:
  const Config& config_;
  Store& store_;
  std::filesystem::path quarantine_dir_;
  PageLoader load_;
  BatchSink sink_;
  CrashJournal* journal_;
  std::vector<zmq::socket_t> work_;  // per page stage, in kPageStages order
  zmq::socket_t results_;
  std::map<std::string, std::string> work_endpoints_;
  std::string results_endpoint_;
};

}  // namespace intake
