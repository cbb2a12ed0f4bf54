// The page stages by name (pipeline/config.h kPageStages), built from a config.
#pragma once

#include <memory>
#include <string>

#include "pipeline/config.h"
#include "pipeline/stage.h"

namespace intake {

// Throws ConfigError for an unknown name or a stage whose data (catalog) cannot be loaded.
std::unique_ptr<Stage> make_stage(const std::string& name, const Config& config);

}  // namespace intake
