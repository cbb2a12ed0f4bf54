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

RunResult Coordinator::run(const ScanBatch& batch, const std::string& received_at, const RunHooks& hooks) {
  const std::vector<std::string>& stages = options_.stages;
  auto now = [this] { return env_.steady_now(); };
  const auto started = now();
  RunResult result;
  result.batch_id = batch.batch_id;
  result.pages_total = static_cast<int>(batch.pages.size());

  std::vector<LedgerPage> ledger_pages;
  for (const auto& p : batch.pages)
    ledger_pages.push_back({p.number, p.relative, p.source_page, p.content_hash, "pending", 0, std::nullopt, p.error});
  const BatchInfo info = ledger_.open_batch(batch.batch_id, batch.input.string(), received_at, ledger_pages);
  // Runs that died: the pages that killed a worker then are charged; those merely in flight not.
  if (journal_) {
    for (const auto& e : journal_->read_ended())
      ledger_.record_failure(e.batch_id, e.page, e.token, e.stage, died_of(e));
    journal_->remove_ended();
  }
  result.received_at = info.received_at;
  if (info.state == "committed") {
    result.already_committed = true;
    result.quarantine = ledger_.quarantined(batch.batch_id);
    result.pages_resumed = result.pages_total;
    return result;
  }

  std::map<int, const PageSource*> sources;
  for (const auto& p : batch.pages) sources[p.number] = &p;
  std::map<int, PageItem> finished;  // by page number
  std::deque<int> todo;
  for (const auto& lp : ledger_.ledger(batch.batch_id)) {
    if (lp.state != "pending" && lp.result) {
      finished[lp.number] = page_from_json(nlohmann::json::parse(*lp.result));
      ++result.pages_resumed;
    } else {
      todo.push_back(lp.number);
    }
  }

  Progress progress;
  progress.total = result.pages_total;
  for (const auto& [n, page] : finished) {
    ++progress.done;
    if (page.error) ++progress.quarantined;
  }

  const int max_in_flight = std::max(1, options_.max_in_flight);

  std::map<int, InFlight> in_flight;
  std::map<int, int> failures;  // dispatches that killed or stalled a worker, this run and before
  for (const auto& lp : ledger_.ledger(batch.batch_id)) failures[lp.number] = lp.failures;
  std::vector<std::deque<Outgoing>> outbox(stages.size());

  auto base_item = [&](const PageSource& src) {
    PageItem page;
    page.batch_id = batch.batch_id;
    page.number = src.number;
    page.source_file = src.relative;
    page.source_page = src.source_page;
    page.content_hash = src.content_hash;
    return page;
  };

  auto finish = [&](PageItem page) {
    const int n = page.number;
    in_flight.erase(n);
    page.original.clear();
    page.work.release();
    if (page.error) {
      const PageSource& src = *sources.at(n);
      spdlog::warn("{} (batch page {}): quarantined: {}", src.relative, n, *page.error);
      QuarantineEntry q{batch.batch_id, n, src.relative, src.source_page, *page.error,
                        copy_to_quarantine(env_, quarantine_dir_, batch.batch_id, src).string(),
                        ""};
      ledger_.save_page(batch.batch_id, n, "quarantined", to_json(page), page.error);
      ledger_.quarantine(q);
      ++progress.quarantined;
    } else {
      ledger_.save_page(batch.batch_id, n, "processed", to_json(page), std::nullopt);
      for (const auto& [stage, ms] : page.timings_ms) result.stage_ms[stage].push_back(ms);
    }
    ++progress.done;
    finished[n] = std::move(page);
  };

  auto quarantine_unsent = [&](int n, const std::string& reason) {
    PageItem page = base_item(*sources.at(n));
    page.error = reason;
    finish(std::move(page));
  };

  auto dispatch = [&](int n) {
    const PageSource& src = *sources.at(n);
    if (failures[n] >= options_.max_attempts) {
      const auto why = ledger_.failures(batch.batch_id, n);
      quarantine_unsent(n, "failed " + std::to_string(failures[n]) + " times without finishing, it crashes or stalls "
                               "its worker (last: " + (why.empty() ? std::string("unknown") : why.back()) + ")");
      return;
    }
    const int attempt = failures[n] + 1;
    PageItem page = base_item(src);
    page.attempt = attempt;
    page.token = new_token();
    const std::string token = page.token;
    try {
      page.original = load_(src);
    } catch (const std::exception& e) {
      quarantine_unsent(n, std::string("ingest: ") + e.what());
      return;
    }
    outbox[0].push_back({n, token, wire::encode({stages[0], std::move(page)})});
    in_flight[n] = {0, attempt, token, false, now()};
  };

  // Each page waiting for a stage goes to a worker of that stage that asked for one.
  auto flush = [&] {
    for (std::size_t s = 0; s < outbox.size(); ++s) {
      while (!outbox[s].empty() && !ready_[s].empty()) {
        // A page dispatched again since it was queued here is not sent twice.
        const auto f = in_flight.find(outbox[s].front().page);
        if (f == in_flight.end() || f->second.token != outbox[s].front().token || f->second.stage != s ||
            f->second.handed) {
          outbox[s].pop_front();
          continue;
        }
        const std::string worker = *ready_[s].begin();
        ready_[s].erase(ready_[s].begin());
        auto& frames = outbox[s].front().frames;
        zmq::message_t to(worker.data(), worker.size());
        before_zmq_send();
        try {
          // All-or-nothing: the first frame decides whether the worker is there and has room.
          if (!work_[s].send(to, zmq::send_flags::dontwait | zmq::send_flags::sndmore)) continue;
        } catch (const zmq::error_t& e) {
          if (e.num() == EHOSTUNREACH) continue;  // gone since it asked
          throw;
        }
        for (std::size_t f = 0; f < frames.size(); ++f)
          work_[s].send(frames[f], f + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        f->second.handed = true;
        f->second.sent = now();
        outbox[s].pop_front();
      }
    }
  };

  // Queue depth per stage, integrated over time.
  std::vector<double> depth_area(stages.size(), 0.0);
  std::vector<int> depth_max(stages.size(), 0);
  auto last_sample = now();
  auto sample_depths = [&] {
    const auto t = now();
    const double dt = std::chrono::duration<double>(t - last_sample).count();
    last_sample = t;
    std::vector<int> depth(stages.size(), 0);
    for (const auto& [n, f] : in_flight) ++depth[f.stage];
    for (std::size_t s = 0; s < depth.size(); ++s) {
      depth_area[s] += depth[s] * dt;
      depth_max[s] = std::max(depth_max[s], depth[s]);
    }
  };

  const auto timeout = options_.stage_timeout;
  const auto timeout_s = std::to_string(options_.stage_timeout.count());
  std::optional<Clock::time_point> drain_deadline;
  std::vector<std::optional<Clock::time_point>> starved_since(stages.size());
  std::vector<zmq::message_t> frames;
  while (!todo.empty() || !in_flight.empty()) {
    if (stop_requested()) {
      if (!drain_deadline) drain_deadline = now() + options_.drain_timeout;
      if (in_flight.empty() || now() > *drain_deadline) break;
    }
    while (!stop_requested() && !todo.empty() && static_cast<int>(in_flight.size()) < max_in_flight) {
      const int n = todo.front();
      todo.pop_front();
      dispatch(n);
    }
    flush();

    sample_depths();
    for (std::size_t s = 0; s < outbox.size(); ++s) {
      if (outbox[s].empty() || !ready_[s].empty()) {
        starved_since[s].reset();
      } else if (!starved_since[s]) {
        starved_since[s] = now();
      } else if (now() - *starved_since[s] > timeout) {
        spdlog::warn("stage {}: {} page(s) waiting, and no worker has asked for one in {} s (are its workers "
                     "running, or all stalled?)", stages[s], outbox[s].size(), timeout_s);
        starved_since[s] = now();
      }
    }
    poll_all(std::chrono::milliseconds(100));
    for (std::size_t s = 0; s < work_.size(); ++s) take_requests(s);
    sample_depths();
    // A bounded number per turn: a flood of answers (forged ones too) must not keep the
    // coordinator from dispatching, flushing and timing out.
    for (int taken = 0; taken < 256 && recv_frames(results_, frames, wire::kFrameCount + 1); ++taken) {
      auto decoded = wire::decode(frames);
      if (auto* err = std::get_if<wire::DecodeError>(&decoded)) {
        spdlog::error("coordinator: rejected a result message: {}", err->reason);
        continue;
      }
      auto& env = std::get<wire::Envelope>(decoded);
      auto it = in_flight.find(env.page.number);
      // Only an answer to a dispatch in flight, from the stage it went to, is taken: a late
      // answer to one given up on, a replay or a forgery is dropped.
      if (env.page.batch_id != batch.batch_id || it == in_flight.end() || it->second.token != env.page.token ||
          it->second.attempt != env.page.attempt || stages[it->second.stage] != env.stage ||
          env.page.content_hash != sources.at(env.page.number)->content_hash) {
        ++result.results_refused;
        continue;
      }
      const std::size_t next = it->second.stage + 1;
      if (env.page.error || next == stages.size()) {
        finish(std::move(env.page));
      } else {
        const int n = env.page.number;
        outbox[next].push_back({n, it->second.token, wire::encode({stages[next], std::move(env.page)})});
        it->second.stage = next;
        it->second.handed = false;
      }
    }

    // A stage process that died on a page says so in the journal: charge it and go again at once.
    if (journal_) {
      for (const auto& e : journal_->read_new()) {
        auto f = in_flight.find(e.page);
        if (e.batch_id != batch.batch_id || f == in_flight.end() || f->second.token != e.token) continue;
        spdlog::warn("page {}: stage {} {}; dispatching again", e.page, e.stage, died_of(e));
        failures[e.page] = ledger_.record_failure(batch.batch_id, e.page, e.token, e.stage, died_of(e));
        in_flight.erase(f);
        todo.push_front(e.page);
      }
    }
    const auto turn = now();
    std::vector<int> expired;
    for (const auto& [n, f] : in_flight)
      if (f.handed && turn - f.sent > timeout) expired.push_back(n);
    for (int n : expired) {
      const InFlight& f = in_flight[n];
      const std::string stage = stages[f.stage];
      spdlog::warn("page {}: no answer from stage {} in {} s, dispatching again", n, stage, timeout_s);
      failures[n] = ledger_.record_failure(batch.batch_id, n, f.token, stage, "no answer in " + timeout_s + " s");
      in_flight.erase(n);
      todo.push_front(n);
    }
    progress.in_flight = static_cast<int>(in_flight.size());
    if (hooks.on_progress) hooks.on_progress(progress);
    if (hooks.on_tick) {
      for (const auto& lost : hooks.on_tick()) {
        std::vector<int> pages;
        for (const auto& [n, f] : in_flight)
          if (stages[f.stage] == lost && f.handed) pages.push_back(n);
        if (!pages.empty())
          spdlog::warn("{} page(s) in flight at stage {} went down with its process; dispatching them again",
                       pages.size(), lost);
        for (int n : pages) {
          in_flight.erase(n);
          todo.push_front(n);
        }
      }
    }
  }

  result.seconds = std::chrono::duration<double>(now() - started).count();
  const double span = std::chrono::duration<double>(last_sample - started).count();
  for (std::size_t s = 0; s < stages.size(); ++s)
    result.queue_depth[stages[s]] = {span > 0 ? depth_area[s] / span : 0.0, depth_max[s]};
  // A stop request never commits, even when draining happened to finish every page: the run
  // reports itself interrupted (exit 130) and the rerun commits from the ledger.
  if (stop_requested() || static_cast<int>(finished.size()) < result.pages_total) {
    result.interrupted = true;
    result.quarantine = ledger_.quarantined(batch.batch_id);
    return result;
  }
  for (auto& [n, page] : finished) result.pages.push_back(std::move(page));
  result.quarantine = ledger_.quarantined(batch.batch_id);
  return result;
}

}  // namespace intake
