// `intake serve` (the web application over the batch service, with the hot folder) and
// `intake user` (accounts of the web application).
#pragma once

#include <string>

#include "pipeline/config.h"
#include "pipeline/service/batch_service.h"

namespace intake {

// Serves until SIGINT/SIGTERM. `listen` overrides serve.listen.
int cmd_serve(const Config& config, const ServiceOptions& options, const std::string& listen);

// add NAME --role R | passwd NAME | disable NAME | enable NAME | list. A password comes from
// standard input (one line), or is asked for twice when it is a terminal.
int cmd_user(const std::string& store_path, const std::string& action, const std::string& name,
             const std::string& role);

}  // namespace intake
