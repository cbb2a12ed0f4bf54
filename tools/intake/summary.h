// What `intake run` prints at the end of a batch: a table per dossier and the batch totals.
#pragma once

#include <cstdio>

#include "tools/intake/batch_runner.h"

namespace intake {

void print_summary(std::FILE* out, const BatchOutcome& outcome);

// The run's figures for tools (`intake run --stats FILE`, read by `intake bench`): pages, seconds,
// pages per minute, stage latency p50/p95 and queue depth mean/max per stage.
nlohmann::json run_stats(const RunResult& run);

}  // namespace intake
