// `intake eval` and `intake bench`: the yardsticks (see README, "Measured").
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/config.h"

namespace intake {

struct CorpusOptions {
  std::filesystem::path input;  // batch or folder of batches with truth; empty: generate one
  std::string profile = "standard";
  int pages = 200;
  int seed = 1;
  std::filesystem::path out_dir;  // reports, generated corpus and the store go here
  // eval only: a second config to run first on the same corpus; the two are then compared side
  // by side (compare.json, compare.md): the admin's dry run of a candidate against the current.
  std::filesystem::path against;
  std::filesystem::path root;  // relative paths of the configs resolve against this (empty: their own)
  bool inproc = false;         // run the stages as threads of this process, whatever the configs say
};

// Runs the pipeline on the corpus and scores it. Writes report.md, report.html, report.json; with
// `against`, runs that config first (its reports under current/) and writes compare.json and
// compare.md beside the candidate's.
int cmd_eval(const Config& config, const CorpusOptions& options);

// Times intake against an office's scripts on the same pages: (a) the tesseract CLI and
// ZXingReader per page, (b) ocrmypdf --jobs N on one PDF per batch plus ZXingReader. The three
// take turns batch by batch, so a busy machine weighs on all alike. Writes bench.json.
int cmd_bench(const Config& config, const CorpusOptions& options, const std::filesystem::path& config_file);

}  // namespace intake
