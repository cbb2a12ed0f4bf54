// A scored corpus on disk: batch folders that each hold a truth.jsonl (and maybe
// separators.json), and an optional manifest.json from intake-samplegen --corpus describing how
// each page was degraded. Used by `intake eval` and `intake bench`.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/record.h"

namespace intake {

struct TruthBatch {
  std::string name;
  std::filesystem::path dir;
  std::vector<DossierRecord> dossiers;                    // the truth (truth.jsonl)
  std::vector<int> separators;                            // scan-order numbers
  std::map<int, std::vector<std::string>> conditions;     // page -> "rotation=90", "dpi=150", ...
};

// `input` is a batch folder with truth.jsonl, or a folder of such batches. Throws with the reason.
std::vector<TruthBatch> load_truth_batches(const std::filesystem::path& input);

// Runs intake-samplegen (beside this program) to make a corpus in `out`, unless `out` already
// holds one made with the same arguments. Throws when the generator fails.
void generate_corpus(const std::filesystem::path& out, const std::string& profile, int pages, int seed);

// Runs a program with arguments; returns its exit status (-1 when it could not start or died)
// and, if asked, its peak resident memory in KiB and wall time in seconds.
struct ChildRun {
  int status = -1;
  long max_rss_kib = 0;
  double seconds = 0;
};
// When `cancel` turns true the child is sent SIGTERM (and waited for).
ChildRun run_child(const std::vector<std::string>& argv, const std::filesystem::path& output_log = "/dev/null",
                   const std::atomic<bool>* cancel = nullptr);

std::filesystem::path program_dir();

}  // namespace intake
