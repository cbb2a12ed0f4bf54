#include "pipeline/service/batch_service.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <random>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "pipeline/crash_journal.h"
#include "pipeline/curve.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/dispatch.h"
#include "pipeline/dossier/store.h"
#include "pipeline/signals.h"
#include "pipeline/text.h"
#include "pipeline/worker_pool.h"
#include "stages/assemble.h"
#include "stages/classify.h"
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
    for (const auto& name : config.stages) {
      const auto& rt = config.runtime.at(name);
      for (int i = 0; i < rt.processes; ++i)
        children_.push_back(
            {name, coordinator.work_endpoints().at(name), coordinator.results_endpoint(), rt.workers, -1});
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
        if (WIFEXITED(status) && WEXITSTATUS(status) == kExitRefused)
          throw ConfigError("stage process " + c.name +
                            " refused its configuration (its reason is above); not starting it again");
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
    std::vector<std::string> args{exe,       "stage",     c.name,  "--work",          c.work,           "--results",
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
  spdlog::warn(
      "{}: grew after batch {} was taken ({} new page(s), {} changed): the batch is extended and its "
      "dossiers updated in place",
      text::printable(batch.input.string()), *prior, batch.pages.size() - ledger.size(), changed);
  batch.batch_id = *prior;
}

}  // namespace

struct BatchService::Impl {
  struct Job {
    std::uint64_t ticket;
    BatchRequest request;
    BatchListener listener;
    std::promise<BatchOutcome> done;
  };

  Impl(const Config& c, ServiceOptions o)
      : config(c), store_path(o.store.empty() ? config.resolve(config.store.path) : o.store), store(store_path),
        ingest(config.section<IngestConfig>("ingest")),
        calendar(std::make_shared<const WorkingCalendar>(load_calendar(config.resolve(config.calendar)))),
        assembler(config.section<AssembleConfig>("assemble"),
                  Catalog::load(config.resolve(config.section<ClassifyConfig>("classify").catalog)), calendar),
        journal(std::filesystem::path(store_path.string() + ".crashes"), run_id()) {
    // The closed wire (pipeline/curve.h): the coordinator is the CURVE server of its tcp sockets.
    CoordinatorOptions options = coordinator_options(config);
    options.result_frame_bytes = result_frame_limit(config);
    std::optional<CurveSetup> child_keys;
    if (options.tcp && !config.transport.insecure) {
      if (!config.transport.keys.empty()) {
        options.curve = coordinator_curve(config.resolve(config.transport.keys));
      } else {
        auto fresh = ephemeral_curve();
        options.curve = fresh.coordinator;
        child_keys = fresh.worker;
      }
      zap = std::make_unique<ZapAuthenticator>(context, options.curve.authorized);
    }
    const std::filesystem::path quarantine_dir =
        std::filesystem::path(config.store.quarantine_dir).is_absolute()
            ? std::filesystem::path(config.store.quarantine_dir)
            : std::filesystem::absolute(store_path).parent_path() / config.store.quarantine_dir;
    // The crash journal tells the next run which page killed a worker (pipeline/crash_journal.h).
    if (config.transport.kind == "inproc") arm_crash_handler(journal.file(), true);
    coordinator = std::make_unique<Coordinator>(
        options, store, quarantine_dir, [this](const PageSource& p) { return ingest.load(p); }, context, &journal);
    if (config.transport.kind == "inproc") {
      const auto frame_limit = static_cast<int64_t>(work_frame_limit(config));
      for (const auto& name : config.stages) {
        stages.push_back(StageRegistry::builtin().make(name, config));
        pools.push_back(std::make_unique<WorkerPool>(context, *stages.back(), coordinator->work_endpoints().at(name),
                                                     coordinator->results_endpoint(), config.runtime.at(name).workers,
                                                     frame_limit));
      }
    } else if (config.transport.launch == "process") {
      children = std::make_unique<ChildStages>(config, *coordinator, journal.file(), child_keys);
    } else {
      spdlog::info("waiting for external stage workers; results endpoint {}", coordinator->results_endpoint());
    }
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      closing = true;
      for (auto& job : queue)
        job->done.set_exception(std::make_exception_ptr(std::runtime_error("the service stopped")));
      queue.clear();
    }
    wake.notify_all();
    if (runner.joinable()) runner.join();
    pools.clear();
  }

  std::uint64_t enqueue(std::unique_ptr<Job> job, std::future<BatchOutcome>* future) {
    {
      std::lock_guard lock(mutex);
      if (closing) throw std::runtime_error("the service is stopping");
      job->ticket = ++last_ticket;
    }
    const auto ticket = job->ticket;
    if (future) *future = job->done.get_future();
    // The batch's own listener first, then the service's observers.
    job->listener = [this, own = std::move(job->listener)](const BatchEvent& e) {
      if (own) own(e);
      std::vector<BatchListener> all;
      {
        std::lock_guard lock(mutex);
        all = observers;
      }
      for (const auto& o : all) o(e);
    };
    BatchEvent queued{BatchEvent::Kind::queued, ticket};
    queued.input = job->request.inputs.empty() ? "" : job->request.inputs.front().string();
    job->listener(queued);
    std::unique_lock lock(mutex);
    if (closing) throw std::runtime_error("the service is stopping");
    queue.push_back(std::move(job));
    if (!runner.joinable()) runner = std::thread([this] { drain(); });
    lock.unlock();
    wake.notify_all();
    return ticket;
  }

  void drain() {
    for (;;) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        job = std::move(queue.front());
        queue.pop_front();
        running = true;
      }
      try {
        BatchOutcome outcome = run_one(job->request, job->ticket, job->listener);
        if (job->listener) {
          BatchEvent e{BatchEvent::Kind::finished, job->ticket, outcome.run.batch_id};
          e.outcome = &outcome;
          job->listener(e);
        }
        job->done.set_value(std::move(outcome));
      } catch (const std::exception& e) {
        spdlog::error("batch {}: {}", job->ticket, e.what());
        if (job->listener) {
          BatchEvent ev{BatchEvent::Kind::failed, job->ticket};
          ev.error = e.what();
          job->listener(ev);
        }
        job->done.set_exception(std::current_exception());
      }
      std::lock_guard lock(mutex);
      running = false;
    }
  }

  // On the runner thread.
  BatchOutcome run_one(const BatchRequest& request, std::uint64_t ticket, const BatchListener& listener) {
    BatchOutcome outcome;
    outcome.store_path = store_path.string();
    ScanBatch batch = ingest.enumerate(request.inputs);
    // The same scans read as outbound mail are another batch, with a ledger of their own.
    const bool dispatch = request.kind == BatchRequest::Kind::dispatch;
    if (dispatch) batch.batch_id = "d" + batch.batch_id.substr(1);
    outcome.skipped_files = batch.skipped;
    if (request.extend_grown) extend_grown_batch(store, batch);
    if (listener) {
      BatchEvent started{BatchEvent::Kind::started, ticket, batch.batch_id};
      started.input = request.inputs.empty() ? "" : request.inputs.front().string();
      started.progress.total = static_cast<int>(batch.pages.size());
      listener(started);
    }

    RunHooks hooks;
    if (listener)
      hooks.on_progress = [&](const Progress& p) {
        BatchEvent e{BatchEvent::Kind::progress, ticket, batch.batch_id};
        e.progress = p;
        listener(e);
      };
    hooks.on_tick = [this] { return children ? children->respawn_dead() : std::vector<std::string>{}; };
    outcome.run = coordinator->run(batch, request.received_at, hooks);

    const RunResult& run = outcome.run;
    if (!run.already_committed && !run.interrupted) {
      const BatchContext context{run.batch_id, run.received_at};
      std::vector<nlohmann::json> explanations;
      const auto records = assembler.assemble(run.pages, context, &explanations);
      if (dispatch)  // outbound mail groups like incoming mail (an envelope, then what it holds)
        store.commit_dispatches(run.batch_id, plan_dispatches(records, run.batch_id, run.received_at), *calendar);
      else store.commit_dossiers(run.batch_id, records, explanations, config.agency.code);
    }
    if (!run.interrupted) {
      if (dispatch) {
        outcome.dispatches = store.dispatches(run.batch_id);
      } else {
        outcome.dossiers = store.dossiers(run.batch_id);
        outcome.explanations = store.explanations(run.batch_id);
      }
    }
    outcome.run.pages.clear();  // in the ledger and now in the records
    return outcome;
  }

  const Config config;
  std::filesystem::path store_path;
  std::string store_path_text = store_path.string();
  Store store;
  const Ingest ingest;
  std::shared_ptr<const WorkingCalendar> calendar;
  const DossierAssembler assembler;
  zmq::context_t context;
  std::unique_ptr<ZapAuthenticator> zap;
  CrashJournal journal;
  std::unique_ptr<Coordinator> coordinator;
  std::vector<std::unique_ptr<Stage>> stages;
  std::vector<std::unique_ptr<WorkerPool>> pools;
  std::unique_ptr<ChildStages> children;

  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::unique_ptr<Job>> queue;
  std::vector<BatchListener> observers;
  bool running = false, closing = false;
  std::uint64_t last_ticket = 0;
  std::thread runner;
};

BatchService::BatchService(const Config& config, ServiceOptions options)
    : impl_(std::make_unique<Impl>(config, std::move(options))) {}

BatchService::~BatchService() = default;

BatchOutcome BatchService::run(const BatchRequest& request, const BatchListener& listener) {
  auto job = std::make_unique<Impl::Job>();
  job->request = request;
  job->listener = listener;
  std::future<BatchOutcome> done;
  impl_->enqueue(std::move(job), &done);
  return done.get();
}

std::uint64_t BatchService::submit(BatchRequest request, BatchListener listener) {
  auto job = std::make_unique<Impl::Job>();
  job->request = std::move(request);
  job->listener = std::move(listener);
  return impl_->enqueue(std::move(job), nullptr);
}

void BatchService::observe(BatchListener observer) {
  std::lock_guard lock(impl_->mutex);
  impl_->observers.push_back(std::move(observer));
}

std::size_t BatchService::pending() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queue.size() + (impl_->running ? 1 : 0);
}

const std::string& BatchService::store_path() const { return impl_->store_path_text; }
const Config& BatchService::config() const { return impl_->config; }

}  // namespace intake
