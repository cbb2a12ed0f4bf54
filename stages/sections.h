// The config sections of intake's own stages (and of ingest and assemble), in pipeline order:
// what a config file may hold, with no stage built. The stage registry (stages/registry.h) adds
// how to make each page stage; tools that only read a config (the fuzz targets, `intake import`)
// need only these.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "pipeline/config.h"

namespace intake {

const std::vector<SectionSpec>& builtin_sections();

// A config of the built-in sections, from a file or the defaults.
Config load_intake_config(const std::filesystem::path& file);
Config default_intake_config();

// The largest frame a stage worker may send back (a working image and its header), and the
// largest the coordinator sends one (an original scan): ZMQ_MAXMSGSIZE of each socket.
std::size_t result_frame_limit(const Config& config);
std::size_t work_frame_limit(const Config& config);

}  // namespace intake
