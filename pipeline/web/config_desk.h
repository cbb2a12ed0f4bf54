// The admins' config desk in intake serve: the pipeline config, the procedure catalog and the
// working calendar as the files an admin edits, and a candidate tried before it is used.
//
//   edit -> check (as at start-up: errors name the file and key) -> dry run (the current config
//   and the candidate, each on the labelled corpus, in a child `intake eval --against`) ->
//   apply (the changed files written whole; refused when someone changed them meanwhile) or
//   discard
//
// One dry run at a time; it runs on a thread of its own and can be cancelled. Drafts live in a
// folder beside the store, one per dry run; dry runs are forgotten at restart.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/config.h"
#include "pipeline/error.h"

namespace intake::web {

// What the runner is given: the current config file and the candidate's (which names the
// candidate's catalog and calendar), the folder relative paths resolve against, the labelled
// corpus (made first when `generate`), and a folder for the reports.
struct DryRunRequest {
  std::filesystem::path current_config, candidate_config, root, corpus, out_dir;
  bool generate = false;
  int pages = 24;
};
// Returns `intake eval --against`'s comparison (eval::compare); throws with the reason. When
// `cancel` turns true it stops as soon as it can.
using DryRunner = std::function<nlohmann::json(const DryRunRequest&, const std::atomic<bool>& cancel)>;

// One of the files on the desk.
struct DeskFile {
  std::string key;  // "config" | "catalog" | "calendar"
  std::string label;
  std::filesystem::path path;
};

struct DryRun {
  std::string id, by, started_at;
  std::string state;  // running | done | failed | applied | discarded
  std::string error;
  std::map<std::string, std::string> candidate;  // key -> text
  std::map<std::string, std::string> base;       // key -> the file's text when the dry run began
  nlohmann::json result;                         // done: eval::compare's
  std::filesystem::path dir;                     // drafts and reports
};

// A file the apply wrote: its old and new text (for the audit).
struct AppliedFile {
  std::filesystem::path path;
  std::string old_text, new_text;
};

class ConfigDesk {
 public:
  // `on_change` hears each dry run's change of state (from the caller's or the run's thread).
  ConfigDesk(const Config& config, std::filesystem::path drafts_dir, DryRunRequest corpus, DryRunner runner,
             std::function<void(const DryRun&)> on_change);
  ~ConfigDesk();  // cancels a dry run under way and waits for it
  ConfigDesk(const ConfigDesk&) = delete;
  ConfigDesk& operator=(const ConfigDesk&) = delete;

  bool can_dry_run() const { return static_cast<bool>(runner_); }
  // Empty when the service runs on built-in defaults (no file to edit).
  const std::vector<DeskFile>& files() const { return files_; }
  std::map<std::string, std::string> texts() const;  // as the files are now
  const DryRunRequest& corpus() const { return corpus_; }

  // Checks the candidate (every file the desk shows, by key) as intake would at start-up, and
  // starts its dry run. Error: a check that failed ("catalog: ..."), or a dry run under way.
  Result<std::string> start(const std::map<std::string, std::string>& candidate, const std::string& by,
                            const std::string& now);
  std::optional<DryRun> find(const std::string& id) const;
  std::vector<DryRun> all() const;  // newest first
  // Writes the files the candidate changed (whole, through Env::write_file). Error when the dry
  // run is not done, or the files changed since it began (someone else applied meanwhile).
  Result<std::vector<AppliedFile>> apply(const std::string& id);
  Result<bool> discard(const std::string& id);
  void stop();  // cancels a dry run under way and waits for it

 private:
  void run_one(std::string id, DryRunRequest request);
  void set(const std::string& id, const std::function<void(DryRun&)>& change);

  const Config& config_;
  std::filesystem::path drafts_;
  DryRunRequest corpus_;
  DryRunner runner_;
  std::function<void(const DryRun&)> on_change_;
  std::vector<DeskFile> files_;

  mutable std::mutex mutex_;
  std::map<std::string, DryRun> runs_;
  std::vector<std::string> order_;  // ids, oldest first
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  bool running_ = false;
};

// A line diff of two texts for people: "  same", "- removed", "+ added" lines, unchanged runs of
// more than `context` lines each side of a change shortened to "…".
std::vector<std::string> line_diff(const std::string& before, const std::string& after, int context = 2);

}  // namespace intake::web
