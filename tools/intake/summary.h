// What `intake run` and `intake dispatch` print at the end of a batch: a table of what it became
// and the batch totals.
#pragma once

#include <cstdio>

#include "pipeline/service/batch_service.h"

namespace intake {

void print_summary(std::FILE* out, const BatchOutcome& outcome);
// What `intake dispatch` prints: a line per dispatch (linked, or flagged with its reasons), totals.
void print_dispatch_summary(std::FILE* out, const BatchOutcome& outcome);

// The run's figures for tools (`intake run --stats FILE`, read by `intake bench`): pages, seconds,
// pages per minute, stage latency p50/p95 and queue depth mean/max per stage.
nlohmann::json run_stats(const RunResult& run);

}  // namespace intake
