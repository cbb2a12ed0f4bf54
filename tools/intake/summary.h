// What `intake run` prints at the end of a batch: a table per dossier and the batch totals.
#pragma once

#include <cstdio>

#include "tools/intake/batch_runner.h"

namespace intake {

void print_summary(std::FILE* out, const BatchOutcome& outcome);

}  // namespace intake
