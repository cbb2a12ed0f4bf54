// Fuzz target: the pipeline config (configs/*.yaml), which an administrator edits. load_config
// must answer any file with a Config or a ConfigError naming the file and the key.
//
// Known bug, tolerated here until it is fixed in pipeline/config.cpp: a key that is not a plain
// scalar (`[a]: 1`, corpus/config/nonscalar-key) escapes as YAML::BadConversion from
// Section::finish(). Once fixed, drop the YAML::Exception catch and that input guards the fix.
#include <cstddef>
#include <cstdint>

#include <yaml-cpp/exceptions.h>

#include "pipeline/config.h"
#include "tests/fuzz/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const intake::Config c = intake::load_config(intake::fuzz::as_file(data, size));
    for (const auto& name : intake::kPageStages)
      if (c.runtime.at(name).workers < 1 || c.runtime.at(name).endpoint.empty()) __builtin_trap();
  } catch (const intake::ConfigError&) {
  } catch (const YAML::Exception&) {  // the known bug above
  }
  return 0;
}
