// DossierRecord: the product's output, the intake.dossier/1 record, as a type.
//
// docs/record-schema.md is its prose; to_json() and dossier_from_json() below are its one JSON
// mapping (every field always present, null where a value could not be established), the way
// pipeline/wire.h is the one mapping of the wire format. The assembler builds records as this
// type; the store keeps their JSON; receipts, summaries, reports and the review station read them
// back through dossier_from_json().
//
// The enums name the states and kinds the code branches on; on the wire and in the store they
// stay today's strings (name_of / parse_*).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/local_time.h"
#include "pipeline/error.h"

namespace intake {

enum class PageType { envelope, separator, application_form, id_card, supporting_document, blank };
enum class DossierState { received, assigned, in_progress, waiting_supplement, resolved, returned };
enum class LedgerState { pending, processed, quarantined, committed };
enum class BatchState { open, committed };

std::string_view name_of(PageType t);
std::string_view name_of(DossierState s);
std::string_view name_of(LedgerState s);
std::string_view name_of(BatchState s);
std::optional<PageType> parse_page_type(std::string_view s);
std::optional<DossierState> parse_dossier_state(std::string_view s);
std::optional<LedgerState> parse_ledger_state(std::string_view s);
std::optional<BatchState> parse_batch_state(std::string_view s);

inline constexpr std::string_view kDossierSchema = "intake.dossier/1";

// A review reason: a machine-readable code, with the page it is about when there is one
// ("low_ocr_confidence:page=3" is {"low_ocr_confidence", 3}); `text` is the reason as written.
struct ReviewReason {
  std::string text;
  std::string code() const;         // before the first ':'
  std::optional<int> page() const;  // from ":page=N"
  bool operator==(const ReviewReason&) const = default;
};

struct Sender {
  std::optional<std::string> name, address, phone;
  bool operator==(const Sender&) const = default;
};

struct Applicant {
  std::optional<std::string> full_name, id_number, date_of_birth, sex, address;
  std::optional<std::string> source;  // "id_card_qr" | "ocr"
  bool operator==(const Applicant&) const = default;
};

struct ProcedureRef {
  std::optional<std::string> id, code, name;
  std::optional<double> confidence;
  bool operator==(const ProcedureRef&) const = default;
};

struct DocumentRef {
  std::string type;  // a PageType's name
  std::vector<int> pages;
  bool operator==(const DocumentRef&) const = default;
};

struct BarcodeRef {
  std::string format, text;
  bool operator==(const BarcodeRef&) const = default;
};

struct PageRecord {
  int number = 0;
  std::string source_file;
  int source_page = 1;
  std::optional<PageType> type;  // null when unreadable
  int rotation = 0;
  double skew_deg = 0;
  bool blank = false;
  std::vector<BarcodeRef> barcodes;
  int unread_barcodes = 0;
  std::string text;
  std::optional<double> ocr_confidence;
  bool operator==(const PageRecord&) const = default;
};

// An OCR word behind a field's value, its box in the page's working image (upright, deskewed).
struct WordBox {
  std::string text;
  double confidence = 0;  // Tesseract's, 0..100
  int x = 0, y = 0, w = 0, h = 0;
  bool operator==(const WordBox&) const = default;
};

// Where a field's value came from and how far it can be trusted (docs/record-schema.md,
// "evidence"). `confidence` is built from the reading itself (the value's least confident OCR
// word; a QR payload or a bar code's own checksum: 1) and from independent sources that agree;
// the checks a value passed are listed. Below the field's threshold (configs/: assemble.
// field_confidence) the dossier gets field_unsure:KEY.
struct FieldEvidence {
  std::string source;                // barcode | id_card_qr | ocr | classifier | operator
  std::optional<int> page;           // the page it was read on
  std::optional<std::string> label;  // the printed label it followed, as read
  std::vector<WordBox> words;        // OCR words of the value (none for a bar code or QR payload)
  double confidence = 0;             // 0..1
  std::vector<std::string> checks;   // passed: s10_check_digit, agrees:envelope, vietnamese_name, ...
  void check(const std::string& c);  // adds once
  bool operator==(const FieldEvidence&) const = default;
};

struct DossierRecord {
  std::optional<std::string> dossier_code;
  std::string batch_id;
  std::string channel = "postal";  // postal | electronic | counter
  std::string received_at;         // LocalTime::iso()
  std::optional<std::string> tracking_number;
  bool tracking_valid = false;
  Sender sender;
  Applicant applicant;
  ProcedureRef procedure;
  std::optional<std::string> department;
  std::optional<std::string> due_date;  // YYYY-MM-DD
  std::vector<DocumentRef> documents;
  std::vector<PageRecord> pages;
  std::vector<ReviewReason> reasons;  // review.required is !reasons.empty()
  // Field key ("tracking_number", "sender.name", "applicant.id_number", "procedure.id", ...: the
  // review screen's, pipeline/web/fields.h) -> its evidence; a field with no value has none.
  std::map<std::string, FieldEvidence> evidence;

  bool review_required() const { return !reasons.empty(); }
  // Adds a reason once.
  void flag(const std::string& reason);
  bool operator==(const DossierRecord&) const = default;
};

// A record document that does not follow the schema (a field of the wrong type, a bad page type).
struct RecordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const DossierRecord& record);
nlohmann::json to_json(const FieldEvidence& evidence);
// The fields that carry evidence (DossierRecord::evidence keys, the review screen's).
const std::vector<std::string>& evidence_fields();
// One of evidence_fields() by its key ("sender.name"): the value in the record; nullptr for
// another key. The applicant's keys ("applicant.sex") also name a member of an Applicant.
std::optional<std::string>* field(DossierRecord& r, std::string_view key);
const std::optional<std::string>* field(const DossierRecord& r, std::string_view key);
std::optional<std::string>* field(Applicant& a, std::string_view key);
const std::optional<std::string>* field(const Applicant& a, std::string_view key);
// Throws RecordError naming `at` and the member that is wrong.
FieldEvidence evidence_from_json(const nlohmann::json& j, const std::string& at = "evidence");
DossierRecord dossier_from_json(const nlohmann::json& j);  // throws RecordError, naming the field

}  // namespace intake
