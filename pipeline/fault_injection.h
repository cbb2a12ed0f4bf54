// Fault injection for the robustness tests: INTAKE_FAULT="STAGE:NEEDLE:ACTION" makes a worker of
// STAGE misbehave on every page whose source file name contains NEEDLE, as a poison page would:
//   segv   the worker's process dies of SIGSEGV      abort  it dies of SIGABRT (as zxing can)
//   hang   the worker never answers (a stall)
// Unset (production), it does nothing. Read once, at the first call; thread-safe after that.
#pragma once

#include <string_view>

namespace intake {

// Called by the worker before the stage runs; returns only when no fault applies.
void inject_fault(std::string_view stage, std::string_view source_file);

}  // namespace intake
