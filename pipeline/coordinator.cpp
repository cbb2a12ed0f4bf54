#include "pipeline/coordinator.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <random>

#include <spdlog/spdlog.h>

#include "pipeline/signals.h"
#include "pipeline/tsan.h"
#include "pipeline/wire.h"
#include "pipeline/worker_pool.h"

namespace intake {
namespace {

using Clock = std::chrono::steady_clock;

struct InFlight {
  std::size_t stage = 0;
  int attempt = 0;
  std::string token;
  bool handed = false;     // to a worker that asked; else waiting in the outbox for one
  Clock::time_point sent;  // when handed: the stage timeout runs from here
};

// A page waiting for a worker of its stage, as encoded frames.
struct Outgoing {
  int page = 0;
  std::string token;
  std::vector<zmq::message_t> frames;
};

// 128 random bits as hex: a dispatch's token, which its result must echo.
std::string new_token() {
  static thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::string died_of(const CrashEntry& e) {
  const char* name = sigabbrev_np(e.signal);
  return "worker died of " + (name ? "SIG" + std::string(name) : "signal " + std::to_string(e.signal));
}

std::filesystem::path copy_to_quarantine(const Env& env, const std::filesystem::path& dir, const std::string& batch_id,
                                         const PageSource& src) {
  std::error_code ec;
  // Only a regular file is copied: never what a link (swapped in since listing) points to.
  auto copy = env.copy_into(src.file, dir / batch_id, src.relative, ec);
  if (ec) spdlog::warn("{}: not copied to quarantine: {}", src.relative, ec.message());
  return copy;
}

}  // namespace

CoordinatorOptions coordinator_options(const Config& config) {
  CoordinatorOptions o;
  o.stages = config.stages;
  for (const auto& name : config.stages) o.endpoints[name] = config.runtime.at(name).endpoint;
  o.results = config.transport.results;
  o.tcp = config.transport.kind == "tcp";
  o.stage_timeout = std::chrono::seconds(config.transport.stage_timeout_s);
  o.max_attempts = config.transport.max_attempts;
  o.max_in_flight = config.transport.max_in_flight;
  if (o.max_in_flight <= 0) {
    int workers = 0;
    for (const auto& name : config.stages) {
      const auto& rt = config.runtime.at(name);
      workers += rt.workers * (o.tcp ? rt.processes : 1);
    }
    o.max_in_flight = 2 * workers;
  }
  return o;
}

Coordinator::Coordinator(CoordinatorOptions options, Ledger& ledger, std::filesystem::path quarantine_dir,
                         PageLoader loader, zmq::context_t& context, CrashJournal* journal, const Env& env)
    : options_(std::move(options)), ledger_(ledger), quarantine_dir_(std::move(quarantine_dir)),
      load_(std::move(loader)), journal_(journal), env_(env), results_(context, zmq::socket_type::pull) {
  results_.set(zmq::sockopt::linger, 0);
  // A result carries no original scan, only the working image: a larger frame is refused as it
  // arrives, before it is buffered.
  const auto frame_limit = static_cast<int64_t>(options_.result_frame_bytes);
  results_.set(zmq::sockopt::maxmsgsize, frame_limit);
  auto bind = [](zmq::socket_t& s, const std::string& endpoint) {
    try {
      s.bind(endpoint);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot listen on " + endpoint + ": " + e.what() +
                               (e.num() == EADDRINUSE ? " (another intake run, or another program, holds it)" : ""));
    }
  };
  if (options_.tcp) make_curve_server(results_, options_.curve);
  bind(results_, options_.results);
  results_endpoint_ = results_.get(zmq::sockopt::last_endpoint);
  for (const auto& name : options_.stages) {
    // ROUTER: a page goes only to a worker that asked for one (wire::kReady); a worker gone
    // since it asked is an error on send (ROUTER_MANDATORY), not a page silently dropped.
    zmq::socket_t s(context, zmq::socket_type::router);
    s.set(zmq::sockopt::router_mandatory, 1);
    s.set(zmq::sockopt::sndhwm, 4);
    s.set(zmq::sockopt::linger, 0);
    // Only requests for work come back here (the limit covers the CURVE handshake's commands too).
    s.set(zmq::sockopt::maxmsgsize, int64_t{4096});
    if (options_.tcp) make_curve_server(s, options_.curve);
    bind(s, options_.endpoints.at(name));
    work_endpoints_[name] = s.get(zmq::sockopt::last_endpoint);
    work_.push_back(std::move(s));
  }
  ready_.resize(options_.stages.size());
}

void Coordinator::take_requests(std::size_t stage) {
  std::vector<zmq::message_t> frames;
  // Bounded per turn, like answers: a flood of requests must not keep the coordinator busy.
  for (int taken = 0; taken < 1024 && recv_frames(work_[stage], frames, 3); ++taken) {
    if (frames.size() != 2 || frames[1].to_string_view() != wire::kReady) continue;
    ready_[stage].insert(frames[0].to_string());  // a worker asks for one page at a time
  }
}

void Coordinator::poll_all(std::chrono::milliseconds timeout) {
  std::vector<zmq::pollitem_t> items{{results_.handle(), 0, ZMQ_POLLIN, 0}};
  for (auto& w : work_) items.push_back({w.handle(), 0, ZMQ_POLLIN, 0});
  try {
    zmq::poll(items.data(), items.size(), timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
  }
}

// One batch's run: the state machine Coordinator::run drives, one turn at a time. Each turn
// hands pages to the workers that asked, takes their answers, the crash journal's news and the
// expired dispatches, and tells the caller (progress, lost worker processes).
class Coordinator::BatchRun {
 public:
  BatchRun(Coordinator& c, const ScanBatch& batch, const RunHooks& hooks)
      : c_(c), stages_(c.options_.stages), batch_(batch), hooks_(hooks), started_(now()), last_sample_(started_),
        outbox_(stages_.size()), depth_area_(stages_.size(), 0.0), depth_max_(stages_.size(), 0),
        starved_since_(stages_.size()), timeout_s_(std::to_string(c.options_.stage_timeout.count())) {
    result_.batch_id = batch.batch_id;
    result_.pages_total = static_cast<int>(batch.pages.size());
    for (const auto& p : batch.pages) sources_[p.number] = &p;
  }

  // Records the batch in the ledger; false when it was committed before (nothing to do).
  bool open(const std::string& received_at) {
    std::vector<LedgerPage> pages;
    for (const auto& p : batch_.pages)
      pages.push_back({p.number, p.relative, p.source_page, p.content_hash, "pending", 0, std::nullopt, p.error});
    const BatchInfo info = c_.ledger_.open_batch(batch_.batch_id, batch_.input.string(), received_at, pages);
    // Runs that died: the pages that killed a worker then are charged; those merely in flight not.
    if (c_.journal_) {
      for (const auto& e : c_.journal_->read_ended())
        c_.ledger_.record_failure(e.batch_id, e.page, e.token, e.stage, died_of(e));
      c_.journal_->remove_ended();
    }
    result_.received_at = info.received_at;
    if (info.state == "committed") {
      result_.already_committed = true;
      result_.pages_resumed = result_.pages_total;
      return false;
    }
    progress_.total = result_.pages_total;
    for (const auto& lp : c_.ledger_.ledger(batch_.batch_id)) {
      failures_[lp.number] = lp.failures;
      if (lp.state != "pending" && lp.result) {
        PageItem page = page_from_json(nlohmann::json::parse(*lp.result));
        ++result_.pages_resumed;
        ++progress_.done;
        if (page.error) ++progress_.quarantined;
        finished_[lp.number] = std::move(page);
      } else {
        todo_.push_back(lp.number);
      }
    }
    return true;
  }

  bool busy() const { return !todo_.empty() || !in_flight_.empty(); }

  // One turn; false when a stop request has drained (or given up on) the pages in flight.
  bool turn() {
    if (stop_requested()) {
      if (!drain_deadline_) drain_deadline_ = now() + c_.options_.drain_timeout;
      if (in_flight_.empty() || now() > *drain_deadline_) return false;
    }
    const int max_in_flight = std::max(1, c_.options_.max_in_flight);
    while (!stop_requested() && !todo_.empty() && static_cast<int>(in_flight_.size()) < max_in_flight) {
      const int n = todo_.front();
      todo_.pop_front();
      dispatch(n);
    }
    flush();
    warn_if_starved();
    sample_depths();
    c_.poll_all(std::chrono::milliseconds(100));
    for (std::size_t s = 0; s < stages_.size(); ++s) c_.take_requests(s);
    sample_depths();
    take_answers();
    take_crashes();
    expire();
    progress_.in_flight = static_cast<int>(in_flight_.size());
    if (hooks_.on_progress) hooks_.on_progress(progress_);
    if (hooks_.on_tick)
      for (const auto& lost : hooks_.on_tick()) redispatch_lost(lost);
    return true;
  }

  RunResult finish_run() {
    result_.seconds = std::chrono::duration<double>(now() - started_).count();
    const double span = std::chrono::duration<double>(last_sample_ - started_).count();
    for (std::size_t s = 0; s < stages_.size(); ++s)
      result_.queue_depth[stages_[s]] = {span > 0 ? depth_area_[s] / span : 0.0, depth_max_[s]};
    result_.quarantine = c_.ledger_.quarantined(batch_.batch_id);
    // A stop request never commits, even when draining happened to finish every page: the run
    // reports itself interrupted (exit 130) and the rerun commits from the ledger.
    if (stop_requested() || static_cast<int>(finished_.size()) < result_.pages_total) {
      result_.interrupted = true;
      return std::move(result_);
    }
    for (auto& [n, page] : finished_) result_.pages.push_back(std::move(page));
    return std::move(result_);
  }

  RunResult committed_before() {
    result_.quarantine = c_.ledger_.quarantined(batch_.batch_id);
    return std::move(result_);
  }

 private:
  Clock::time_point now() const { return c_.env_.steady_now(); }

  PageItem base_item(const PageSource& src) const {
    PageItem page;
    page.batch_id = batch_.batch_id;
    page.number = src.number;
    page.source_file = src.relative;
    page.source_page = src.source_page;
    page.content_hash = src.content_hash;
    return page;
  }

  // A page done with, processed or quarantined: saved in the ledger.
  void finish(PageItem page) {
    const int n = page.number;
    in_flight_.erase(n);
    page.original.clear();
    page.work.release();
    if (page.error) {
      const PageSource& src = *sources_.at(n);
      spdlog::warn("{} (batch page {}): quarantined: {}", src.relative, n, *page.error);
      const QuarantineEntry q{batch_.batch_id,
                              n,
                              src.relative,
                              src.source_page,
                              *page.error,
                              copy_to_quarantine(c_.env_, c_.quarantine_dir_, batch_.batch_id, src).string(),
                              ""};
      c_.ledger_.quarantine(q, to_json(page));
      ++progress_.quarantined;
    } else {
      c_.ledger_.save_page(batch_.batch_id, n, "processed", to_json(page), std::nullopt);
      for (const auto& [stage, ms] : page.timings_ms) result_.stage_ms[stage].push_back(ms);
    }
    ++progress_.done;
    finished_[n] = std::move(page);
  }

  void quarantine_unsent(int n, const std::string& reason) {
    PageItem page = base_item(*sources_.at(n));
    page.error = reason;
    finish(std::move(page));
  }

  // A page starts (again) at the first stage, with a new token; or is quarantined when it has
  // failed max_attempts times, or cannot be read.
  void dispatch(int n) {
    const PageSource& src = *sources_.at(n);
    if (failures_[n] >= c_.options_.max_attempts) {
      const auto why = c_.ledger_.failures(batch_.batch_id, n);
      const std::string last = why.empty() ? std::string("unknown") : why.back();
      quarantine_unsent(n, "failed " + std::to_string(failures_[n]) +
                               " times without finishing, it crashes or stalls its worker (last: " + last + ")");
      return;
    }
    const int attempt = failures_[n] + 1;
    PageItem page = base_item(src);
    page.attempt = attempt;
    page.token = new_token();
    const std::string token = page.token;
    try {
      page.original = c_.load_(src);
    } catch (const std::exception& e) {
      quarantine_unsent(n, std::string("ingest: ") + e.what());
      return;
    }
    outbox_[0].push_back({n, token, wire::encode({stages_[0], std::move(page)})});
    in_flight_[n] = {0, attempt, token, false, now()};
  }

  // Each page waiting for a stage goes to a worker of that stage that asked for one.
  void flush() {
    for (std::size_t s = 0; s < outbox_.size(); ++s) {
      auto& ready = c_.ready_[s];
      while (!outbox_[s].empty() && !ready.empty()) {
        // A page dispatched again since it was queued here is not sent twice.
        const auto f = in_flight_.find(outbox_[s].front().page);
        if (f == in_flight_.end() || f->second.token != outbox_[s].front().token || f->second.stage != s ||
            f->second.handed) {
          outbox_[s].pop_front();
          continue;
        }
        const std::string worker = *ready.begin();
        ready.erase(ready.begin());
        auto& frames = outbox_[s].front().frames;
        zmq::message_t to(worker.data(), worker.size());
        before_zmq_send();
        try {
          // All-or-nothing: the first frame decides whether the worker is there and has room.
          if (!c_.work_[s].send(to, zmq::send_flags::dontwait | zmq::send_flags::sndmore)) continue;
        } catch (const zmq::error_t& e) {
          if (e.num() == EHOSTUNREACH) continue;  // gone since it asked
          throw;
        }
        for (std::size_t i = 0; i < frames.size(); ++i)
          c_.work_[s].send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        f->second.handed = true;
        f->second.sent = now();
        outbox_[s].pop_front();
      }
    }
  }

  void warn_if_starved() {
    for (std::size_t s = 0; s < outbox_.size(); ++s) {
      if (outbox_[s].empty() || !c_.ready_[s].empty()) {
        starved_since_[s].reset();
      } else if (!starved_since_[s]) {
        starved_since_[s] = now();
      } else if (now() - *starved_since_[s] > c_.options_.stage_timeout) {
        spdlog::warn(
            "stage {}: {} page(s) waiting, and no worker has asked for one in {} s (are its workers "
            "running, or all stalled?)",
            stages_[s], outbox_[s].size(), timeout_s_);
        starved_since_[s] = now();
      }
    }
  }

  // Queue depth per stage, integrated over time.
  void sample_depths() {
    const auto t = now();
    const double dt = std::chrono::duration<double>(t - last_sample_).count();
    last_sample_ = t;
    std::vector<int> depth(stages_.size(), 0);
    for (const auto& [n, f] : in_flight_) ++depth[f.stage];
    for (std::size_t s = 0; s < depth.size(); ++s) {
      depth_area_[s] += depth[s] * dt;
      depth_max_[s] = std::max(depth_max_[s], depth[s]);
    }
  }

  void take_answers() {
    std::vector<zmq::message_t> frames;
    // A bounded number per turn: a flood of answers (forged ones too) must not keep the
    // coordinator from dispatching, flushing and timing out.
    for (int taken = 0; taken < 256 && recv_frames(c_.results_, frames, wire::kFrameCount + 1); ++taken) {
      auto decoded = wire::decode(frames);
      if (auto* err = std::get_if<wire::DecodeError>(&decoded)) {
        spdlog::error("coordinator: rejected a result message: {}", err->reason);
        continue;
      }
      auto& env = std::get<wire::Envelope>(decoded);
      auto it = in_flight_.find(env.page.number);
      // Only an answer to a dispatch in flight, from the stage it went to, is taken: a late
      // answer to one given up on, a replay or a forgery is dropped.
      if (env.page.batch_id != batch_.batch_id || it == in_flight_.end() || it->second.token != env.page.token ||
          it->second.attempt != env.page.attempt || !it->second.handed || stages_[it->second.stage] != env.stage ||
          env.page.content_hash != sources_.at(env.page.number)->content_hash) {
        ++result_.results_refused;
        continue;
      }
      const std::size_t next = it->second.stage + 1;
      if (env.page.error || next == stages_.size()) {
        finish(std::move(env.page));
      } else {
        const int n = env.page.number;
        outbox_[next].push_back({n, it->second.token, wire::encode({stages_[next], std::move(env.page)})});
        it->second.stage = next;
        it->second.handed = false;
      }
    }
  }

  // A stage process that died on a page says so in the journal: charge it and go again at once.
  void take_crashes() {
    if (!c_.journal_) return;
    for (const auto& e : c_.journal_->read_new()) {
      auto f = in_flight_.find(e.page);
      if (e.batch_id != batch_.batch_id || f == in_flight_.end() || f->second.token != e.token) continue;
      spdlog::warn("page {}: stage {} {}; dispatching again", e.page, e.stage, died_of(e));
      failures_[e.page] = c_.ledger_.record_failure(batch_.batch_id, e.page, e.token, e.stage, died_of(e));
      in_flight_.erase(f);
      todo_.push_front(e.page);
    }
  }

  // A page handed to a worker and not back within the stage timeout: charged, and again.
  void expire() {
    const auto t = now();
    std::vector<int> expired;
    for (const auto& [n, f] : in_flight_)
      if (f.handed && t - f.sent > c_.options_.stage_timeout) expired.push_back(n);
    for (int n : expired) {
      const InFlight& f = in_flight_[n];
      const std::string stage = stages_[f.stage];
      spdlog::warn("page {}: no answer from stage {} in {} s, dispatching again", n, stage, timeout_s_);
      failures_[n] = c_.ledger_.record_failure(batch_.batch_id, n, f.token, stage, "no answer in " + timeout_s_ + " s");
      in_flight_.erase(n);
      todo_.push_front(n);
    }
  }

  // A worker process of this stage ended: the pages it held went down with it, uncharged.
  void redispatch_lost(const std::string& lost) {
    std::vector<int> pages;
    for (const auto& [n, f] : in_flight_)
      if (stages_[f.stage] == lost && f.handed) pages.push_back(n);
    if (!pages.empty())
      spdlog::warn("{} page(s) in flight at stage {} went down with its process; dispatching them again", pages.size(),
                   lost);
    for (int n : pages) {
      in_flight_.erase(n);
      todo_.push_front(n);
    }
  }

  Coordinator& c_;
  const std::vector<std::string>& stages_;
  const ScanBatch& batch_;
  const RunHooks& hooks_;
  const Clock::time_point started_;
  Clock::time_point last_sample_;
  RunResult result_;
  Progress progress_;
  std::map<int, const PageSource*> sources_;
  std::map<int, PageItem> finished_;  // by page number
  std::deque<int> todo_;
  std::map<int, InFlight> in_flight_;
  std::map<int, int> failures_;  // dispatches that killed or stalled a worker, this run and before
  std::vector<std::deque<Outgoing>> outbox_;
  std::vector<double> depth_area_;
  std::vector<int> depth_max_;
  std::vector<std::optional<Clock::time_point>> starved_since_;
  std::optional<Clock::time_point> drain_deadline_;
  const std::string timeout_s_;
};

RunResult Coordinator::run(const ScanBatch& batch, const std::string& received_at, const RunHooks& hooks) {
  BatchRun run(*this, batch, hooks);
  if (!run.open(received_at)) return run.committed_before();
  while (run.busy() && run.turn()) {
  }
  return run.finish_run();
}

}  // namespace intake
