// `intake import` (dossiers that came electronically or over the counter) and `intake report`
// (the figures the centre publishes, as text, CSV or an HTML page with charts).
#pragma once

#include <string>

#include "pipeline/config.h"

namespace intake {

// Imports a JSON Lines file of dossier records, each with at least `channel` ("electronic",
// "counter" or "postal"), `received_at` (local time, "YYYY-MM-DDTHH:MM[:SS][+07:00]") and
// `procedure.id` (from the catalog); optional `dossier_code`, `due_date` (else computed on the
// calendar), `applicant`, `tracking_number` and `history` ([{to, at, actor, note}], replayed
// through the lifecycle rules). All or nothing: any bad line is reported with its number and
// reason (exit 1) and nothing is imported. Importing the same file again changes nothing.
int cmd_import(const Config& config, const std::string& store_path, const std::string& file);

// format: text | csv | html. `out` empty: standard output. `as_of` empty: `to`.
int cmd_report(const Config& config, const std::string& store_path, const std::string& from, const std::string& to,
               const std::string& as_of, const std::string& format, const std::string& out);

}  // namespace intake
