#include "tools/intake/batch_runner.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fcntl.h>
#include <optional>
#include <random>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "pipeline/crash_journal.h"
#include "pipeline/curve.h"
#include "pipeline/dispatch.h"
#include "pipeline/signals.h"
#include "pipeline/store.h"
#include "pipeline/text.h"
#include "pipeline/worker_pool.h"
#include "stages/assemble.h"
#include "stages/catalog.h"
#include "stages/ingest.h"
#include "stages/registry.h"

extern char** environ;

namespace intake {
namespace {

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// `intake stage` children for transport tcp + launch process; restarts any that die.
class ChildStages {
 public:
  // keys: the children's CURVE keys, handed over a pipe (none: they read the config's key folder,
  // or the transport is insecure).
  ChildStages(const Config& config, const Coordinator& coordinator, std::filesystem::path journal,
              std::optional<CurveSetup> keys)
      : config_(config), journal_(std::move(journal)), keys_(std::move(keys)) {
    for (const auto& name : kPageStages) {
      const auto& rt = config.runtime.at(name);
      for (int i = 0; i < rt.processes; ++i)
        children_.push_back({name, coordinator.work_endpoints().at(name), coordinator.results_endpoint(), rt.workers, -1});
    }
    for (auto& c : children_) spawn(c);
  }
  ~ChildStages() {
    for (auto& c : children_)
      if (c.pid > 0) ::kill(c.pid, SIGTERM);
    for (auto& c : children_)
      if (c.pid > 0) ::waitpid(c.pid, nullptr, 0);
  }
  // Returns the stages that lost a process (restarted unless a stop was requested).
  std::vector<std::string> respawn_dead() {
    std::vector<std::string> lost;
    for (auto& c : children_) {
      int status = 0;
      if (c.pid > 0 && ::waitpid(c.pid, &status, WNOHANG) == c.pid) {
        c.pid = -1;
        lost.push_back(c.name);
        if (stop_requested()) continue;
        spdlog::warn("stage process {} ended unexpectedly; restarting it", c.name);
        spawn(c);
      }
    }
    return lost;
  }

 private:
  struct Child {
    std::string name, work, results;
    int workers;
    pid_t pid;
  };
  void spawn(Child& c) {
    const std::string exe = self_exe();
    const std::string workers = std::to_string(c.workers);
    std::vector<std::string> args{exe,       "stage",   c.name,          "--work", c.work, "--results",
                                  c.results, "--workers", workers, "--crash-journal", journal_.string()};
    if (!config_.file.empty()) args.insert(args.begin() + 3, {"--config", config_.file.string()});
    int pipe_fds[2] = {-1, -1};
    if (keys_) {
      if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
      args.insert(args.end(), {"--keys-fd", "3"});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("cannot start stage process " + c.name + ": " + std::strerror(errno));
    if (pid == 0) {
      // The child dies with its coordinator, however that ends (kill -9 included).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      if (keys_) {
        if (pipe_fds[0] == 3) ::fcntl(3, F_SETFD, 0);
        else if (::dup2(pipe_fds[0], 3) < 0) ::_exit(127);
      }
      ::execve(exe.c_str(), argv.data(), environ);
      ::_exit(127);
    }
    c.pid = pid;
    if (keys_) {
      ::close(pipe_fds[0]);
      const std::string text = serialize_worker_curve(*keys_);
      [[maybe_unused]] auto n = ::write(pipe_fds[1], text.data(), text.size());  // 123 bytes: one atomic write
      ::close(pipe_fds[1]);
    }
  }
  const Config& config_;
  std::filesystem::path journal_;
  std::optional<CurveSetup> keys_;
  std::vector<Child> children_;
};

std::string run_id() {
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof buf, "run-%d-%08x%08x", static_cast<int>(::getpid()), rd(), rd());
  return buf;
}

// The input's previous batch, when its pages are the first pages of this one, file for file (a
// page whose file was still being written may have changed): this batch takes its id.
void extend_grown_batch(Store& store, ScanBatch& batch) {
  const auto prior = store.latest_batch_for_input(batch.input.string());
  if (!prior || *prior == batch.batch_id) return;
  const auto ledger = store.ledger(*prior);
  if (ledger.empty() || ledger.size() > batch.pages.size()) return;
  int changed = 0;
  for (const auto& lp : ledger) {
    const PageSource& p = batch.pages[static_cast<std::size_t>(lp.number - 1)];
    if (p.number != lp.number || p.relative != lp.source_file || p.source_page != lp.source_page) return;
    changed += p.content_hash != lp.content_hash;
  }
  spdlog::warn("{}: grew after batch {} was taken ({} new page(s), {} changed): the batch is extended and its "
               "dossiers updated in place",
               text::printable(batch.input.string()), *prior, batch.pages.size() - ledger.size(), changed);
  batch.batch_id = *prior;
}

void draw_progress(const Progress& p) {
  static int last_done = -1, last_flight = -1;
  if (p.done == last_done && p.in_flight == last_flight) return;
  last_done = p.done, last_flight = p.in_flight;
  const int width = 30;
  const int filled = p.total ? p.done * width / p.total : width;
  std::fprintf(stderr, "\r[%s%s] %d/%d pages  in flight %d  quarantined %d ", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), p.done, p.total, p.in_flight, p.quarantined);
  if (p.done == p.total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

BatchOutcome run_batch(const Config& config, const BatchRequest& request) {
  BatchOutcome outcome;
  const Ingest ingest(config.ingest);
  ScanBatch batch = ingest.enumerate(request.inputs);
  // The same scans read as outbound mail are another batch, with a ledger of their own.
  if (request.kind == BatchRequest::Kind::dispatch) batch.batch_id = "d" + batch.batch_id.substr(1);
  outcome.skipped_files = batch.skipped;
  const auto store_path = request.store.empty() ? config.resolve(config.store.path) : request.store;
  outcome.store_path = store_path.string();
  Store store(store_path);
  if (request.extend_grown) extend_grown_batch(store, batch);
  const auto calendar = std::make_shared<const WorkingCalendar>(load_calendar(config));
  const DossierAssembler assembler(config.assemble, Catalog::load(config.resolve(config.classify.catalog)), calendar);
  BatchSink sink;
  if (request.kind == BatchRequest::Kind::intake) {
    sink.commit = [&](const std::vector<PageItem>& pages, const BatchContext& ctx) {
      store.commit_dossiers(ctx.batch_id, assembler.assemble(pages, ctx), config.agency.code);
      return store.dossiers(ctx.batch_id);
    };
    sink.committed = [&](const std::string& batch_id) { return store.dossiers(batch_id); };
  } else {
    // Outbound mail groups like incoming mail (an envelope, then what it holds).
    sink.commit = [&](const std::vector<PageItem>& pages, const BatchContext& ctx) {
      store.commit_dispatches(ctx.batch_id, plan_dispatches(assembler.assemble(pages, ctx), ctx.batch_id, ctx.received_at),
                              *calendar);
      return store.dispatches(ctx.batch_id);
    };
    sink.committed = [&](const std::string& batch_id) { return store.dispatches(batch_id); };
  }

  zmq::context_t context;
  // The closed wire (pipeline/curve.h): the coordinator is the CURVE server of its tcp sockets.
  CurveSetup curve;
  std::optional<CurveSetup> child_keys;
  std::unique_ptr<ZapAuthenticator> zap;
  if (config.transport.kind == "tcp" && !config.transport.insecure) {
    if (!config.transport.keys.empty()) {
      curve = coordinator_curve(config.resolve(config.transport.keys));
    } else {
      auto fresh = ephemeral_curve();
      curve = fresh.coordinator;
      child_keys = fresh.worker;
    }
    zap = std::make_unique<ZapAuthenticator>(context, curve.authorized);
  }
  const std::filesystem::path quarantine_dir =
      std::filesystem::path(config.store.quarantine_dir).is_absolute()
          ? std::filesystem::path(config.store.quarantine_dir)
          : std::filesystem::absolute(store_path).parent_path() / config.store.quarantine_dir;
  // The crash journal tells the next run which page killed a worker (pipeline/crash_journal.h).
  CrashJournal journal(std::filesystem::path(store_path.string() + ".crashes"), run_id());
  if (config.transport.kind == "inproc") arm_crash_handler(journal.file(), true);
  Coordinator coordinator(
      config, store, quarantine_dir, [&ingest](const PageSource& p) { return ingest.load(p); },
      sink, context, &journal, curve);

  std::vector<std::unique_ptr<Stage>> stages;
  std::vector<std::unique_ptr<WorkerPool>> pools;
  std::unique_ptr<ChildStages> children;
  if (config.transport.kind == "inproc") {
    for (const auto& name : kPageStages) {
      stages.push_back(make_stage(name, config));
      pools.push_back(std::make_unique<WorkerPool>(context, *stages.back(), coordinator.work_endpoints().at(name),
                                                   coordinator.results_endpoint(), config.runtime.at(name).workers,
                                                   static_cast<int64_t>(work_frame_limit(config))));
    }
  } else if (config.transport.launch == "process") {
    children = std::make_unique<ChildStages>(config, coordinator, journal.file(), child_keys);
  } else {
    spdlog::info("waiting for external stage workers; results endpoint {}", coordinator.results_endpoint());
  }

  std::function<void(const Progress&)> progress;
  if (request.progress) progress = draw_progress;
  outcome.run = coordinator.run(batch, request.received_at, progress, [&] {
    return children ? children->respawn_dead() : std::vector<std::string>{};
  });
  pools.clear();
  return outcome;
}

int run_stage_process(const Config& config, const std::string& name, const std::string& work_endpoint,
                      const std::string& results_endpoint, int workers, const std::filesystem::path& crash_journal,
                      const CurveSetup& curve) {
  if (!crash_journal.empty()) arm_crash_handler(crash_journal);
  const auto stage = make_stage(name, config);
  zmq::context_t context;
  WorkerPool pool(context, *stage, work_endpoint, results_endpoint, workers, static_cast<int64_t>(work_frame_limit(config)),
                  curve);
  spdlog::info("stage {}: {} worker(s) on {} -> {}", name, workers, work_endpoint, results_endpoint);
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pool.stop();
  return 0;
}

WorkingCalendar load_calendar(const Config& config) {
  const auto configured = config.resolve(config.calendar);
  std::error_code ec;
  if (std::filesystem::exists(configured, ec)) return WorkingCalendar::load(configured);
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (const auto& shipped : {exe_dir.parent_path() / "configs/calendar.yaml",
                              exe_dir.parent_path() / "share/intake/configs/calendar.yaml"})
    if (std::filesystem::exists(shipped, ec)) {
      spdlog::info("calendar: {} not found, using the shipped {}", configured.string(), shipped.string());
      return WorkingCalendar::load(shipped);
    }
  throw ConfigError(configured.string() + ": cannot open calendar file (config key 'calendar')");
}

}  // namespace intake

namespace intake {

CurveSetup stage_curve(const Config& config, int keys_fd, const std::string& worker_key) {
  if (keys_fd >= 0) {
    std::string text;
    char buf[256];
    ssize_t n;
    while ((n = ::read(keys_fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(keys_fd);
    return parse_worker_curve(text);
  }
  if (config.transport.kind != "tcp" || config.transport.insecure) return {};
  if (config.transport.keys.empty())
    throw ConfigError((config.file.empty() ? std::string("the config") : config.file.string()) +
                      ": 'transport.keys' is needed for a stage worker over tcp (intake keys generate DIR), or "
                      "insecure: true on 127.0.0.1");
  return worker_curve(config.resolve(config.transport.keys), worker_key);
}

}  // namespace intake
