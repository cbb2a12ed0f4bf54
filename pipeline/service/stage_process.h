// An `intake stage` process: the worker threads of one page stage, serving a coordinator that
// runs elsewhere (another process, another host), until SIGINT/SIGTERM.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/config.h"
#include "pipeline/curve.h"

namespace intake {

// Runs `workers` threads of stage `name` connected to the given endpoints until SIGINT/SIGTERM.
// With a crash journal, a fatal signal records the page it died on there (the coordinator's).
int run_stage_process(const Config& config, const std::string& name, const std::string& work_endpoint,
                      const std::string& results_endpoint, int workers, const std::filesystem::path& crash_journal = {},
                      const CurveSetup& curve = {});

// The CURVE keys of an `intake stage` process: read from keys_fd (a pipe from its coordinator)
// when >= 0, else from the config's key folder (pair `worker_key`); none when insecure.
// Throws ConfigError when tcp has neither.
CurveSetup stage_curve(const Config& config, int keys_fd, const std::string& worker_key);

}  // namespace intake
