// `intake status`, `intake set-status`, `intake find`: a committed dossier's life after intake.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/dossier/record.h"

#include "pipeline/config.h"

namespace intake {

// Current state, due date (and the original one when a pause moved it), missing documents and
// the history of changes. Exit 0, or 1 when there is no such dossier.
int cmd_status(const std::string& store_path, const std::string& code);

// Changes the state, refusing illegal changes with the reason (exit 1). `at` is local time
// (Asia/Ho_Chi_Minh) "YYYY-MM-DDTHH:MM[:SS]+07:00"; empty: now.
int cmd_set_status(const Config& config, const std::string& store_path, const std::string& code,
                   const std::string& state, const std::string& actor, const std::string& note, const std::string& at);

// One line per dossier found by code, tracking number, applicant ID number or (part of) name.
int cmd_find(const std::string& store_path, const std::string& key);

// Writes the receipt slip of a committed dossier (tools/intake/receipt.h) to `out` (empty:
// CODE.pdf in the working directory). Exit 0, or 1 when there is no such dossier.
int cmd_receipt(const Config& config, const std::string& store_path, const std::string& code, const std::string& out);

// One slip per record with a dossier code, as DIR/CODE.pdf; the fields left blank are logged.
void write_receipts(const Config& config, const std::vector<DossierRecord>& records, const std::filesystem::path& dir);

}  // namespace intake
