#include "stages/classify.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "pipeline/config.h"
#include "pipeline/text.h"
#include "stages/citizen_id_qr.h"
#include "stages/s10.h"

namespace intake {
namespace {

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

// Folded text of the first `n` non-empty lines.
std::string head_lines(const std::string& page_text, int n) {
  std::istringstream in(page_text);
  std::string line, out;
  while (n > 0 && std::getline(in, line)) {
    if (text::squeeze(line).empty()) continue;
    out += text::fold(line) + '\n';
    --n;
  }
  return out;
}

}  // namespace

bool has_national_header(const std::string& page_text) {
  const std::string head = head_lines(page_text, 6);
  return contains(head, "cong hoa xa hoi chu nghia") || contains(head, "doc lap - tu do") ||
         contains(head, "doc lap – tu do");
}

bool has_issuer_header(const std::string& page_text) {
  if (has_national_header(page_text)) return true;
  // A capitalised line among the first three that starts with a public body's name.
  std::istringstream in(page_text);
  std::string line;
  for (int n = 0; n < 3 && std::getline(in, line);) {
    if (text::squeeze(line).empty()) continue;
    ++n;
    if (!text::mostly_upper(line)) continue;
    const std::string folded = text::squeeze(text::fold(line));
    for (std::string_view issuer : {"uy ban nhan dan", "ubnd", "so ", "benh vien", "tram y te", "trung tam", "cong an",
                                    "van phong", "toa an", "phong ", "chi cuc", "cuc ", "bo "})
      if (folded.rfind(issuer, 0) == 0) return true;
  }
  return false;
}

bool has_document_title(const std::string& page_text) {
  const std::string head = head_lines(page_text, 3);
  for (std::string_view title : {"hop dong", "giay chung nhan", "giay xac nhan", "giay chung sinh", "giay bao tu",
                                 "bien ban", "quyet dinh", "trich luc", "ban sao", "giay uy quyen", "so ho khau",
                                 "chung chi", "bang tot nghiep", "hoa don", "thong bao", "van ban"})
    if (contains(head, title)) return true;
  return false;
}

std::optional<std::pair<int, int>> page_marker(const std::string& page_text) {
  static const std::regex re(R"((?:^|\n)\s*trang\s+(\d{1,2})\s*/\s*(\d{1,2})\s*(?:\n|$))");
  std::smatch m;
  const std::string folded = text::fold(page_text);
  if (!std::regex_search(folded, m, re)) return std::nullopt;
  const int k = std::stoi(m[1]), n = std::stoi(m[2]);
  if (k < 1 || k > n) return std::nullopt;
  return std::make_pair(k, n);
}

ClassifyWeights ClassifyWeights::load(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file, "classification weights (config key 'stages.classify.weights')");
  static const std::map<std::string, std::vector<std::string>> kSignals{
      {"envelope",
       {"s10_barcode", "s10_in_text", "postal_word", "sender_label", "recipient_label", "landscape", "unread_barcode"}},
      {"id_card", {"citizen_id_qr", "card_word", "old_card_word", "card_back_word", "card_english_label"}},
      {"application_form", {"form_title", "form_statement"}}};
  ClassifyWeights w;
  ConfigSection top(root, "", file);
  for (const auto& [type, signals] : kSignals) {
    ConfigSection section(top.child(type), type, file);
    for (const auto& signal : signals) {
      double v = -1;
      section.get(signal, v);
      section.require(v >= 0 && v <= 100, signal, "must be a weight from 0 to 100 (every signal needs one)");
      w.by_type[type][signal] = v;
    }
    section.finish();
  }
  ConfigSection t(top.child("thresholds"), "thresholds", file);
  t.get("type", w.type_threshold)
      .get("form", w.form_threshold)
      .get("confidence_full", w.confidence_full)
      .get("form_statement_procedure", w.form_statement_procedure);
  t.require(w.type_threshold > 0, "type", "must be > 0");
  t.require(w.form_threshold > 0, "form", "must be > 0");
  t.require(w.confidence_full > 0, "confidence_full", "must be > 0");
  t.finish();
  top.finish();
  return w;
}

void ClassifyStage::process(PageItem& page, WorkerState*) const {
  page.procedure_scores = catalog_.score(page.text);
  page.evidence.clear();
  if (page.blank) {
    page.type = "blank";
    page.type_confidence = 1.0;
    page.evidence.push_back({"blank.no_ink", 1});
    return;
  }
  for (const auto& b : page.barcodes)
    if (b.text == config_.separator_text) {
      page.type = "separator";
      page.type_confidence = 1.0;
      page.evidence.push_back({"separator.barcode", 1});
      return;
    }

  std::map<std::string, double> score{{"envelope", 0}, {"id_card", 0}, {"application_form", 0}};
  std::vector<Evidence> found;
  auto signal = [&](const std::string& type, const std::string& name) {
    const double w = weights_.of(type, name);
    score[type] += w;
    found.push_back({type + "." + name, w});
  };
  const std::string folded = text::squeeze(text::fold(page.text));
  for (const auto& b : page.barcodes) {
    if (s10::normalize(b.text)) signal("envelope", "s10_barcode");
    if (b.format == "QRCode" && std::holds_alternative<citizen_id::Card>(citizen_id::parse(b.text)))
      signal("id_card", "citizen_id_qr");
  }
  // An S10 item number read in the text (the barcode may be unreadable) and the post's own words.
  for (const auto& candidate : s10::find_in_text(page.text))
    if (s10::valid(candidate)) {
      signal("envelope", "s10_in_text");
      break;
    }
  for (std::string_view postal : {"buu chinh", "buu gui", "buu pham", "chuyen phat nhanh", "dam bao"})
    if (contains(folded, postal)) signal("envelope", "postal_word");
  if (contains(folded, "nguoi gui")) signal("envelope", "sender_label");
  if (contains(folded, "nguoi nhan")) signal("envelope", "recipient_label");
  if (page.width > page.height * 1.2) signal("envelope", "landscape");  // envelopes are landscape, forms portrait
  if (page.unread_barcodes > 0) signal("envelope", "unread_barcode");   // a postal label no decoder could read
  // Only documents carry the national motto: a receipt slip or letter that cites the post and an
  // item number is not an envelope (a label's S10 bar code still counts).
  if (contains(folded, "cong hoa xa hoi chu nghia viet nam") || contains(folded, "doc lap - tu do - hanh phuc")) {
    const auto vetoed = std::erase_if(found, [](const Evidence& e) { return e.signal.rfind("envelope.", 0) == 0; });
    score["envelope"] = 0;
    if (vetoed > 0) found.push_back({"envelope.vetoed_by_national_motto", 0});
    for (const auto& b : page.barcodes)
      if (s10::normalize(b.text)) signal("envelope", "s10_barcode");
  }
  if (contains(folded, "can cuoc")) signal("id_card", "card_word");
  if (contains(folded, "chung minh nhan dan")) signal("id_card", "old_card_word");  // the older 9/12-digit card
  // The back of a card: fingerprints and identifying marks.
  for (std::string_view back : {"ngon tro", "dau vet rieng", "dac diem nhan dang", "personal identification"})
    if (contains(folded, back)) signal("id_card", "card_back_word");
  if (contains(folded, "full name") || contains(folded, "date of birth") || contains(folded, "place of residence"))
    signal("id_card", "card_english_label");

  const std::string head = head_lines(page.text, 10);
  for (std::string_view title : {"to khai", "don de nghi", "giay de nghi", "don dang ky", "don xin"})
    if (contains(head, title)) signal("application_form", "form_title");
  double best_procedure = 0;
  for (const auto& [id, s] : page.procedure_scores) best_procedure = std::max(best_procedure, s);
  if (best_procedure >= weights_.form_statement_procedure &&
      (contains(folded, "cam doan") || contains(folded, "nguoi yeu cau") || contains(folded, "kinh gui")))
    signal("application_form", "form_statement");

  const double envelope = score["envelope"], id_card = score["id_card"], form = score["application_form"];
  const double best = std::max({envelope, id_card, form});
  if (best >= weights_.type_threshold) {
    page.type = best == envelope ? "envelope" : best == id_card ? "id_card" : "application_form";
    page.type_confidence = std::min(1.0, best / weights_.confidence_full);
  } else if (best >= weights_.form_threshold && form == best) {
    page.type = "application_form";
    page.type_confidence = 0.5;
  } else {
    page.type = "supporting_document";
    page.type_confidence = folded.size() > 40 ? 0.7 : 0.4;
    found.push_back({"supporting_document.no_type_reached_threshold", 0});
  }
  page.evidence = std::move(found);
}

}  // namespace intake
