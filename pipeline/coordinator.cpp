#include "pipeline/coordinator.h"

#include <chrono>
#include <deque>
#include <fstream>

#include <spdlog/spdlog.h>

#include "pipeline/signals.h"
#include "pipeline/wire.h"
#include "pipeline/worker_pool.h"

namespace intake {
namespace {

using Clock = std::chrono::steady_clock;

struct InFlight {
  std::size_t stage = 0;
  int attempt = 0;
  Clock::time_point sent;
};

std::filesystem::path copy_to_quarantine(const std::filesystem::path& dir, const std::string& batch_id,
                                         const PageSource& src) {
  std::error_code ec;
  const auto target_dir = dir / batch_id;
  std::filesystem::create_directories(target_dir, ec);
  const auto target = target_dir / src.relative;
  if (!std::filesystem::exists(target, ec)) std::filesystem::copy_file(src.file, target, ec);
  if (ec) {
    spdlog::warn("{}: could not copy to quarantine: {}", src.relative, ec.message());
    return {};
  }
  return target;
}

}  // namespace

Coordinator::Coordinator(const Config& config, Store& store, std::filesystem::path quarantine_dir, PageLoader loader,
                         BatchSink sink, zmq::context_t& context)
    : config_(config), store_(store), quarantine_dir_(std::move(quarantine_dir)), load_(std::move(loader)), sink_(std::move(sink)),
      results_(context, zmq::socket_type::pull) {
  results_.set(zmq::sockopt::linger, 0);
  results_.bind(config.transport.results);
  results_endpoint_ = results_.get(zmq::sockopt::last_endpoint);
  for (const auto& name : kPageStages) {
    zmq::socket_t s(context, zmq::socket_type::push);
    s.set(zmq::sockopt::sndhwm, 2);
    s.set(zmq::sockopt::linger, 0);
    s.bind(config.runtime.at(name).endpoint);
    work_endpoints_[name] = s.get(zmq::sockopt::last_endpoint);
    work_.push_back(std::move(s));
  }
}

RunResult Coordinator::run(const ScanBatch& batch, const std::string& received_at,
                           const std::function<void(const Progress&)>& on_progress,
                           const std::function<void()>& on_tick) {
  const auto started = Clock::now();
  RunResult result;
  result.batch_id = batch.batch_id;
  result.pages_total = static_cast<int>(batch.pages.size());

  std::vector<LedgerPage> ledger_pages;
  for (const auto& p : batch.pages)
    ledger_pages.push_back({p.number, p.relative, p.source_page, p.content_hash, "pending", 0, std::nullopt, p.error});
  const BatchInfo info = store_.open_batch(batch.batch_id, batch.input.string(), received_at, ledger_pages);
  result.received_at = info.received_at;
  if (info.state == "committed") {
    result.already_committed = true;
    result.records = sink_.committed(batch.batch_id);
    result.quarantine = store_.quarantined(batch.batch_id);
    result.pages_resumed = result.pages_total;
    return result;
  }

  std::map<int, const PageSource*> sources;
  for (const auto& p : batch.pages) sources[p.number] = &p;
  std::map<int, PageItem> finished;  // by page number
  std::deque<int> todo;
  for (const auto& lp : store_.ledger(batch.batch_id)) {
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

  const int max_in_flight = [&] {
    if (config_.transport.max_in_flight > 0) return config_.transport.max_in_flight;
    int workers = 0;
    for (const auto& name : kPageStages) {
      const auto& rt = config_.runtime.at(name);
      workers += rt.workers * (config_.transport.kind == "tcp" ? rt.processes : 1);
    }
    return 2 * workers;
  }();

  std::map<int, InFlight> in_flight;
  std::map<int, int> attempts;  // dispatches this run + earlier runs
  for (const auto& lp : store_.ledger(batch.batch_id)) attempts[lp.number] = lp.attempts;
  std::vector<std::deque<std::vector<zmq::message_t>>> outbox(kPageStages.size());

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
                        copy_to_quarantine(quarantine_dir_, batch.batch_id, src).string(),
                        ""};
      store_.save_page(batch.batch_id, n, "quarantined", to_json(page), page.error);
      store_.quarantine(q);
      ++progress.quarantined;
    } else {
      store_.save_page(batch.batch_id, n, "processed", to_json(page), std::nullopt);
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
    if (attempts[n] >= config_.transport.max_attempts) {
      quarantine_unsent(n, "dispatched " + std::to_string(attempts[n]) +
                               " times without finishing (it may crash or stall a worker)");
      return;
    }
    store_.count_attempt(batch.batch_id, n);
    const int attempt = ++attempts[n];
    PageItem page = base_item(src);
    page.attempt = attempt;
    try {
      page.original = load_(src);
    } catch (const std::exception& e) {
      quarantine_unsent(n, std::string("ingest: ") + e.what());
      return;
    }
    outbox[0].push_back(wire::encode({kPageStages[0], std::move(page)}));
    in_flight[n] = {0, attempt, Clock::now()};
  };

  auto flush = [&] {
    for (std::size_t s = 0; s < outbox.size(); ++s) {
      while (!outbox[s].empty()) {
        auto& frames = outbox[s].front();
        // All-or-nothing: the first frame decides whether the peer has room.
        if (!work_[s].send(frames[0], zmq::send_flags::dontwait | zmq::send_flags::sndmore)) break;
        for (std::size_t f = 1; f < frames.size(); ++f)
          work_[s].send(frames[f], f + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        outbox[s].pop_front();
      }
    }
  };

  // Queue depth per stage, integrated over time.
  std::vector<double> depth_area(kPageStages.size(), 0.0);
  std::vector<int> depth_max(kPageStages.size(), 0);
  auto last_sample = Clock::now();
  auto sample_depths = [&] {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last_sample).count();
    last_sample = now;
    std::vector<int> depth(kPageStages.size(), 0);
    for (const auto& [n, f] : in_flight) ++depth[f.stage];
    for (std::size_t s = 0; s < depth.size(); ++s) {
      depth_area[s] += depth[s] * dt;
      depth_max[s] = std::max(depth_max[s], depth[s]);
    }
  };

  const auto timeout = std::chrono::seconds(config_.transport.stage_timeout_s);
  std::optional<Clock::time_point> drain_deadline;
  std::vector<zmq::message_t> frames;
  while (!todo.empty() || !in_flight.empty()) {
    if (stop_requested()) {
      if (!drain_deadline) drain_deadline = Clock::now() + std::chrono::seconds(120);
      if (in_flight.empty() || Clock::now() > *drain_deadline) break;
    }
    while (!stop_requested() && !todo.empty() && static_cast<int>(in_flight.size()) < max_in_flight) {
      const int n = todo.front();
      todo.pop_front();
      dispatch(n);
    }
    flush();

    sample_depths();
    poll_in(results_, std::chrono::milliseconds(100));
    sample_depths();
    while (recv_frames(results_, frames, wire::kFrameCount + 1)) {
      auto decoded = wire::decode(frames);
      if (auto* err = std::get_if<wire::DecodeError>(&decoded)) {
        spdlog::error("coordinator: rejected a result message: {}", err->reason);
        continue;
      }
      auto& env = std::get<wire::Envelope>(decoded);
      auto it = in_flight.find(env.page.number);
      if (env.page.batch_id != batch.batch_id || it == in_flight.end() || it->second.attempt != env.page.attempt ||
          kPageStages[it->second.stage] != env.stage) {
        continue;  // a late answer to a dispatch that was already given up on
      }
      const std::size_t next = it->second.stage + 1;
      if (env.page.error || next == kPageStages.size()) {
        finish(std::move(env.page));
      } else {
        outbox[next].push_back(wire::encode({kPageStages[next], std::move(env.page)}));
        it->second = {next, it->second.attempt, Clock::now()};
      }
    }

    const auto now = Clock::now();
    std::vector<int> expired;
    for (const auto& [n, f] : in_flight)
      if (now - f.sent > timeout) expired.push_back(n);
    for (int n : expired) {
      spdlog::warn("page {}: no answer from stage {} in {} s, dispatching again", n,
                   kPageStages[in_flight[n].stage], config_.transport.stage_timeout_s);
      in_flight.erase(n);
      todo.push_front(n);
    }
    progress.in_flight = static_cast<int>(in_flight.size());
    if (on_progress) on_progress(progress);
    if (on_tick) on_tick();
  }

  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const double span = std::chrono::duration<double>(last_sample - started).count();
  for (std::size_t s = 0; s < kPageStages.size(); ++s)
    result.queue_depth[kPageStages[s]] = {span > 0 ? depth_area[s] / span : 0.0, depth_max[s]};
  // A stop request never commits, even when draining happened to finish every page: the run
  // reports itself interrupted (exit 130) and the rerun commits from the ledger.
  if (stop_requested() || static_cast<int>(finished.size()) < result.pages_total) {
    result.interrupted = true;
    result.quarantine = store_.quarantined(batch.batch_id);
    return result;
  }
  std::vector<PageItem> pages;
  for (auto& [n, page] : finished) pages.push_back(std::move(page));
  result.records = sink_.commit(pages, {batch.batch_id, info.received_at});
  result.quarantine = store_.quarantined(batch.batch_id);
  return result;
}

}  // namespace intake
