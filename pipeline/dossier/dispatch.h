// Dispatch of results: the mailroom scans each outbound envelope (its S10 label) followed by the
// result's first page or the dossier's receipt slip, both of which carry the dossier code as a QR
// code or Code 128 (and as text). The pipeline reads the batch like a mail intake; this turns its
// groups (an envelope and the pages after it) into dispatches: which outbound tracking number
// takes which dossier's result home. The store links them (Store::commit_dispatches). Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/record.h"

namespace intake {

inline constexpr std::string_view kDispatchSchema = "intake.dispatch/1";

// "000.00.00.H38-260213-0001": an agency code (letters, digits, dots), the day YYMMDD and a
// four-digit sequence (Circular 01/2018/TT-VPCP).
bool is_dossier_code(std::string_view s);

// One dispatch per dossier code found in a group (codes read from bar codes; a code read only
// from the OCR text is kept as a candidate, never linked on its own), or one without a code.
// Each: {schema, batch_id, group (1-based), pages, tracking_number, tracking_valid,
// dossier_code, code_source ("barcode"|"text"|null), dispatched_at, status "pending", reasons}.
// `groups` are the assembler's records of the batch, in scan order.
std::vector<nlohmann::json> plan_dispatches(const std::vector<DossierRecord>& groups, const std::string& batch_id,
                                            const std::string& dispatched_at);

}  // namespace intake
