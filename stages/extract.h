// Extract stage: page-level fields, written to page.fields as JSON:
//   "tracking":  {"number", "valid", "source": "barcode"|"ocr"}          (envelope pages)
//   "sender":    {"name", "address", "phone"}                            (envelope pages)
//   "applicant": {"full_name", "id_number", "date_of_birth", "sex", "address",
//                 "source": "id_card_qr"|"ocr"}                           (id_card, application_form)
//   "evidence":  field key ("tracking_number", "sender.name", "applicant.id_number", ...) ->
//                {source, label, words: [{text, confidence, box}], confidence 0..1, checks}
// A value that cannot be read with confidence is null, never guessed; the page gets a review
// flag saying why. A tracking number read only by OCR is accepted only with a valid check
// digit. Stateless and thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/stage.h"
#include "stages/provinces.h"

namespace intake {

// The `stages.extract` section.
struct ExtractConfig {
  std::string provinces = "models/provinces.yaml";  // an envelope address must end with one of these
  std::string surnames = "models/surnames.yaml";    // a name read by OCR should begin with one
};

class ExtractStage : public Stage {
 public:
  ExtractStage(Provinces provinces, Surnames surnames)
      : provinces_(std::move(provinces)), surnames_(std::move(surnames)) {}
  std::string_view name() const override { return "extract"; }
  void process(PageItem& page, WorkerState* state) const override;

 private:
  Provinces provinces_;
  Surnames surnames_;
};

// Building blocks, exposed for tests.
// The "Người gửi" block: a "Người gửi: NAME" line or a "NGƯỜI GỬI" heading with "Họ tên:",
// then "Địa chỉ:" (wrapped lines joined) and "Điện thoại:"/"ĐT:", up to the recipient's block.
// An address that stops mid-way (a unit word with no name, a trailing comma, or, given
// `provinces`, no known province at its end) is left null and "sender_address_incomplete" is
// added to `doubts`. Given the page's `words`, each value's evidence goes into `evidence`
// ("sender.name" -> {source, label, words, confidence, checks}, as read_evidence()).
nlohmann::json extract_sender(const std::string& envelope_text, std::vector<std::string>* doubts = nullptr,
                              const Provinces* provinces = nullptr, const std::vector<Word>* words = nullptr,
                              nlohmann::json* evidence = nullptr, double page_confidence = 0,
                              const Surnames* surnames = nullptr);
// The page's text rebuilt from its words: OCR lines, cut where a wide gap separates two words,
// so that blocks side by side (a sender's address, the postal label beside it) are not run
// together. Words that are only marks (cancellation waves read as "~——") are dropped.
std::string layout_text(const std::vector<Word>& words);
// The applicant from a form's labelled lines; a name without any accent is left null (OCR lost
// them). Evidence as for extract_sender ("applicant.full_name", ...); `provinces` checks an ID's
// province code and an address's last part.
nlohmann::json extract_applicant_from_form(const std::string& form_text, const std::vector<Word>* words = nullptr,
                                           nlohmann::json* evidence = nullptr, double page_confidence = 0,
                                           const Provinces* provinces = nullptr, const Surnames* surnames = nullptr);
// A labelled line's label as printed ("Họ và tên") and its value, cleaned of leader residue.
struct Labelled {
  std::string label, value;
};
// The first line whose label (text before ':') matches one of `labels` (folded, punctuation
// ignored), in the order of `labels`; empty when there is none.
Labelled labelled(const std::string& page_text, const std::vector<std::string>& labels);
std::string labeled_value(const std::string& page_text, const std::vector<std::string>& labels);
// The run of words on one OCR line that `value` was read from (letters and digits compared,
// text::match_key), the first such; none when no line holds it.
std::vector<const Word*> words_of(const std::vector<Word>& words, const std::string& value);
// A name read by OCR whose first word is no family name in `surnames` is this sure at most.
inline constexpr double kUnknownSurnameConfidence = 0.5;
// An address with a unit word that lost its marks ("xa Long Phước") is this sure at most.
inline constexpr double kUnmarkedUnitConfidence = 0.5;
// OCR evidence of a value read from `words` after `label`: its confidence is the least confident
// word's (0..1); without words, the page's mean confidence (0..100) stands for it.
nlohmann::json read_evidence(const std::vector<const Word*>& words, const std::string& label, double page_confidence);

}  // namespace intake
