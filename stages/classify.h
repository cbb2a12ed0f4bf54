// Classify stage: the page's type and how strongly its text points to each procedure.
//
// Page types: envelope, separator, application_form, id_card, supporting_document, blank.
// Evidence, strongest first: blank (preprocess), a separator barcode, an S10 barcode or the
// "Người gửi"/"Người nhận" blocks (envelope), a citizen-ID QR code or "Căn cước" (id_card), a
// form title ("Tờ khai", "Đơn/Giấy đề nghị") or a continuation page that carries a procedure's
// keywords and the applicant's declaration (application_form); any other page with content is
// a supporting document. Procedure scores come from the catalog (models/procedures.yaml); the
// weights of the signals from models/classify.yaml. Every signal found is kept in page.evidence.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pipeline/dossier/catalog.h"
#include "pipeline/stage.h"

namespace intake {

// The `stages.classify` section.
struct ClassifyConfig {
  std::string separator_text = "PATCHT";  // barcode content of a separator sheet
  std::string catalog = "models/procedures.yaml";
  std::string weights = "models/classify.yaml";
};

// models/classify.yaml: per page type, the weight of each signal; and the thresholds.
struct ClassifyWeights {
  std::map<std::string, std::map<std::string, double>> by_type;  // type -> signal -> weight
  double type_threshold = 3, form_threshold = 2, confidence_full = 6, form_statement_procedure = 4;

  double of(const std::string& type, const std::string& signal) const { return by_type.at(type).at(signal); }
  // Throws ConfigError naming the file and the key (an unknown or missing signal, a negative weight).
  static ClassifyWeights load(const std::filesystem::path& file);
};

class ClassifyStage : public Stage {
 public:
  ClassifyStage(ClassifyConfig config, Catalog catalog, ClassifyWeights weights)
      : config_(std::move(config)), catalog_(std::move(catalog)), weights_(std::move(weights)) {}
  std::string_view name() const override { return "classify"; }
  void process(PageItem& page, WorkerState* state) const override;

 private:
  ClassifyConfig config_;
  Catalog catalog_;
  ClassifyWeights weights_;
};

// The first few lines carry the national motto: the first page of an official document.
bool has_national_header(const std::string& page_text);
// ... or the issuing body's name ("ỦY BAN NHÂN DÂN …", "SỞ Y TẾ …", "BỆNH VIỆN …") or the motto.
bool has_issuer_header(const std::string& page_text);
// The first lines name a kind of document other than a form ("HỢP ĐỒNG …", "GIẤY CHỨNG NHẬN …").
bool has_document_title(const std::string& page_text);
// A "Trang k/n" page marker on a line of its own: (k, n).
std::optional<std::pair<int, int>> page_marker(const std::string& page_text);

}  // namespace intake
