// Runs one batch end to end in this process: opens the store, starts the stage workers (threads
// for inproc; `intake stage` child processes for tcp with launch=process; nothing for
// launch=external, where workers are started elsewhere), and lets the Coordinator drive it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/calendar.h"
#include "pipeline/config.h"
#include "pipeline/coordinator.h"
#include "pipeline/curve.h"

namespace intake {

struct BatchRequest {
  std::vector<std::filesystem::path> inputs;
  std::string received_at;         // ISO 8601 with offset
  std::filesystem::path store;     // empty: the config's
  bool progress = false;           // draw a progress bar on stderr
  // intake: the batch is incoming mail and becomes dossiers (received_at: when it arrived);
  // dispatch: outbound envelopes with results, linked to their dossiers (received_at: when sent).
  enum class Kind { intake, dispatch } kind = Kind::intake;
  // A hot-folder entry: when the input's last batch was made of a prefix of these files (the
  // scanner's copy paused past the completion rule), this run extends that batch (its dossiers
  // are updated in place, same codes) instead of starting a second one that would double them.
  bool extend_grown = false;
};

struct BatchOutcome {
  RunResult run;
  std::vector<SkippedFile> skipped_files;
  std::string store_path;
};

BatchOutcome run_batch(const Config& config, const BatchRequest& request);

// The working-day calendar: the config's `calendar` (relative to the project root), else, for a
// config kept elsewhere, the one shipped beside this program (configs/calendar.yaml).
// Throws ConfigError when there is none.
WorkingCalendar load_calendar(const Config& config);

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
