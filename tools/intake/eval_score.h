// Scoring of pipeline records against ground truth (DossierRecord on both sides), for
// `intake eval`: dossier grouping, field accuracy with misreads counted apart from misses,
// page-type confusion, OCR character error rate per page type, and how well review.required
// catches the dossiers that really have a wrong field. With the run's explanations
// (intake.explanation/1) each page-type confusion is put down to the signal that decided it, and
// each grouping error to its cause. Pure; not thread-safe per report.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/record.h"

namespace intake::eval {

struct FieldScore {
  int dossiers = 0;  // scored
  int correct = 0;   // equal, both null included
  int misread = 0;   // a wrong non-null value (also where the truth is null)
  int missed = 0;    // null where the truth has a value
  int silent = 0;    // wrong (misread or missed) in a dossier that was not flagged for review
  double accuracy() const { return dossiers ? static_cast<double>(correct) / dossiers : 0.0; }
};

struct PageProblem {
  std::string batch;
  int number = 0;
  std::string source_file;
  int source_page = 1;
  std::string truth_type, predicted_type;
  double cer = 0;
  std::string what;
};

// How one truth dossier came out: grouped exactly or not, flagged for review, and each scored
// field's value beside the truth's (NFC, white space squeezed; null where nothing was read).
struct DossierOutcome {
  std::string batch;
  int first_page = 0;  // the truth dossier's first page in scan order: its key within the batch
  bool exact = false, flagged = false, wrong = false;
  std::map<std::string, nlohmann::json> got, truth;  // field -> value
};

// A value read, with its evidence's confidence: was it right, and was its dossier flagged for a
// reason other than its confidence (field_unsure)?
struct ConfidenceSample {
  double confidence = 0;
  bool right = false, flagged_otherwise = false;
};
// Per field, what threshold would leave no wrong value unflagged on this corpus, and what it costs.
struct ThresholdAdvice {
  int read = 0, wrong = 0;
  std::optional<double> highest_wrong;            // the most confident wrong value
  std::optional<double> highest_wrong_unflagged;  // ... among those nothing else flags
  double threshold = 0;                           // just above it (0: no wrong value to catch)
  int right_below = 0;                            // right values a threshold so set flags
};

struct Report {
  int batches = 0, pages = 0;
  int truth_dossiers = 0, predicted_dossiers = 0, grouping_exact = 0;
  std::map<std::string, FieldScore> fields;                   // tracking_number, applicant.id_number, ...
  std::map<std::string, std::map<std::string, int>> confusion;  // truth page type -> predicted -> count
  // "truth -> predicted" -> the signal that decided the predicted type (models/classify.yaml) -> pages
  std::map<std::string, std::map<std::string, int>> confusion_signals;
  std::map<std::string, int> grouping_causes;  // why a truth dossier was not grouped exactly -> dossiers
  std::map<std::string, std::pair<long, long>> cer_by_type;      // type -> (edits, truth characters)
  std::map<std::string, std::pair<long, long>> cer_by_condition; // e.g. "rotation=90", "dpi=150"
  int review_tp = 0, review_fp = 0, review_fn = 0, review_tn = 0;
  int straight_through = 0;  // truth dossiers whose predicted dossier needs no review
  std::vector<PageProblem> problems;
  std::vector<DossierOutcome> outcomes;  // every truth dossier, in batch and scan order
  std::map<std::string, std::vector<ConfidenceSample>> confidence;  // field -> every value read with evidence
  double seconds = 0;  // pipeline time
  int pages_processed = 0;

  double grouping_rate() const { return truth_dossiers ? static_cast<double>(grouping_exact) / truth_dossiers : 0.0; }
  double page_type_accuracy() const;
  double cer(const std::string& type) const;
  double review_precision() const;
  double review_recall() const;
  // Share of dossiers that go straight through (no review); wrong and not flagged, per dossier.
  double straight_through_rate() const {
    return truth_dossiers ? static_cast<double>(straight_through) / truth_dossiers : 0.0;
  }
  int silent_dossiers() const { return review_fn; }
  std::map<std::string, ThresholdAdvice> threshold_advice() const;
};

// Adds one batch. `explanations` are the predicted dossiers' (parallel; may be empty);
// `separators` are the scan-order numbers of separator sheets (in no dossier); `conditions` maps a
// page number to labels of how it was degraded (may be empty).
void score_batch(Report& report, const std::string& batch, const std::vector<DossierRecord>& truth,
                 const std::vector<DossierRecord>& predicted, const std::vector<nlohmann::json>& explanations,
                 const std::vector<int>& separators, const std::map<int, std::vector<std::string>>& conditions = {});

// A wrong value in a dossier that was not flagged for review: what must never happen.
struct SilentError {
  std::string batch;
  int first_page = 0;
  std::string field;
  nlohmann::json truth, got;
};
std::vector<SilentError> silent_errors(const Report& report);  // in batch and scan order

// Character edits between two texts after NFC and white-space collapsing (code points).
long edit_distance(const std::string& truth, const std::string& got, long* truth_length);

nlohmann::json to_json(const Report& report);

// Two runs on the same corpus side by side (an admin's dry run: the current config against a
// candidate): {"measures": [{key, label, current, candidate, better: "current"|"candidate"|""}],
// "better": N, "worse": N, "changed": [{batch, first_page, what, fields: [{field, truth, current,
// candidate}]}]}. A measure is better where it is higher (lower for CER); "changed" lists the
// truth dossiers whose grouping, flag or any field value differs between the two runs.
nlohmann::json compare(const Report& current, const Report& candidate);
std::string to_markdown(const Report& report, const std::string& title);

}  // namespace intake::eval
