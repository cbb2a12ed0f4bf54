// The fields an operator corrects on the review screen, their rules, and what a correction
// changes besides the field itself. The browser runs the same rules as the operator types
// (assets/app.js); these are the ones that count: a value that breaks its rule is never stored,
// and a dossier with such a value cannot be confirmed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/record.h"
#include "pipeline/error.h"
#include "stages/provinces.h"

namespace intake::web {

struct FieldDef {
  std::string key;    // "tracking_number", "sender.name", "applicant.id_number", "procedure.id", ...
  std::string label;  // Vietnamese
  std::string rule;   // s10 | citizen_id | date | phone | address | sex | procedure | text
};
// In the form's order.
const std::vector<FieldDef>& editable_fields();

struct FieldRules {
  const Catalog* catalog = nullptr;
  const WorkingCalendar* calendar = nullptr;
  const Provinces* provinces = nullptr;
};

std::optional<std::string> value_of(const DossierRecord& r, const std::string& key);
// Nothing when `value` keeps its field's rule; else why not (Vietnamese, for the operator).
std::optional<std::string> check_field(const std::string& key, const std::string& value, const FieldRules& rules);

// The record with `changes` (field -> value, or null to clear) applied: each checked; then what
// depends on them recomputed (tracking_valid; the procedure's code, name, department and the due
// date; missing documents) and the review reasons they answer resolved. A field that breaks its
// rule: nothing applied, and the errors per field.
using FieldErrors = std::map<std::string, std::string>;
std::variant<DossierRecord, FieldErrors> apply_corrections(
    const DossierRecord& record, const std::map<std::string, std::optional<std::string>>& changes,
    const FieldRules& rules);
// The fields of a record that break their rules (a confirmation is refused while there are any).
FieldErrors broken_fields(const DossierRecord& record, const FieldRules& rules);

// The fields a review reason is about ("applicant_missing" -> applicant.full_name, ...).
std::vector<std::string> fields_of_reason(const ReviewReason& reason);

}  // namespace intake::web
