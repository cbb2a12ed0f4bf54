// Assemble: groups a batch's processed pages (scan order) into dossiers and builds their
// intake.dossier/1 records (docs/record-schema.md).
//
// A page the classifier took for a supporting document but that has neither an issuer's header
// nor a title, right after a form page, is that form's next page (the classifier sees one page).
// A dossier starts at an envelope page or after a separator sheet; the separator belongs to no
// dossier. Inside a dossier, a document is a run of pages of one type, and a new one starts at a
// page that opens with the national motto, at a supporting page with an issuer's header or a title
// of its own, or at an ID card with another number; blank and unreadable pages are in no
// document. Dossier fields come from the page fields: tracking and sender from the envelope, the applicant from an ID card QR code (else the form's text), the
// procedure from the catalog scores of the form pages. Anything missing, inconsistent or unsure
// is null and listed in review.reasons. The due date is the procedure's working days after the
// effective receipt day on the working-day calendar (null, with calendar_missing:YEAR, where the
// calendar has a gap); a document type the procedure requires and the dossier lacks is
// missing_document:TYPE. Immutable; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/batch.h"
#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/record.h"

namespace intake {

// The `assemble` section.
struct AssembleConfig {
  double min_procedure_confidence = 0.6;  // below: procedure_uncertain
  double min_ocr_confidence = 60;         // forms below: low_ocr_confidence
  // Field key -> the confidence (0..1) below which its value is flagged field_unsure:KEY. The
  // figures are chosen on a labelled corpus so that no wrong value stays above them (`intake
  // eval` lists, per field, the most confident wrong value). A field not listed is not flagged.
  std::map<std::string, double> field_confidence;
};

class DossierAssembler {
 public:
  // Without a calendar, due dates stay null.
  DossierAssembler(AssembleConfig config, Catalog catalog, std::shared_ptr<const WorkingCalendar> calendar = nullptr)
      : config_(config), catalog_(std::move(catalog)), calendar_(std::move(calendar)) {}
  // With `explanations`, one intake.explanation/1 per record (docs/record-schema.md): why the
  // dossier starts where it does, and each page's type with the classifier's evidence.
  std::vector<DossierRecord> assemble(const std::vector<PageItem>& pages, const BatchContext& batch,
                                      std::vector<nlohmann::json>* explanations = nullptr) const;
  // One dossier of exactly these pages, in scan order (an operator's split or merge): the record
  // assemble() would have made had it grouped the pages so.
  DossierRecord build(std::vector<PageItem> pages, const BatchContext& batch) const;

 private:
  DossierRecord record(const std::vector<const PageItem*>& pages, const BatchContext& batch) const;
  AssembleConfig config_;
  Catalog catalog_;
  std::shared_ptr<const WorkingCalendar> calendar_;
};

}  // namespace intake
