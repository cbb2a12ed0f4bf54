#include "pipeline/service/stage_process.h"

#include <chrono>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "pipeline/crash_journal.h"
#include "pipeline/signals.h"
#include "pipeline/worker_pool.h"
#include "stages/registry.h"

namespace intake {

int run_stage_process(const Config& config, const std::string& name, const std::string& work_endpoint,
                      const std::string& results_endpoint, int workers, const std::filesystem::path& crash_journal,
                      const CurveSetup& curve) {
  if (!crash_journal.empty()) arm_crash_handler(crash_journal);
  const auto stage = StageRegistry::builtin().make(name, config);
  zmq::context_t context;
  WorkerPool pool(context, *stage, work_endpoint, results_endpoint, workers,
                  static_cast<int64_t>(work_frame_limit(config)), curve);
  spdlog::info("stage {}: {} worker(s) on {} -> {}", name, workers, work_endpoint, results_endpoint);
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pool.stop();
  return 0;
}

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
