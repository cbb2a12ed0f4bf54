#include "stages/classify.h"

#include <algorithm>
#include <regex>
#include <sstream>

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

void ClassifyStage::process(PageItem& page, WorkerState*) const {
  page.procedure_scores = catalog_.score(page.text);
  if (page.blank) {
    page.type = "blank";
    page.type_confidence = 1.0;
    return;
  }
  for (const auto& b : page.barcodes)
    if (b.text == config_.separator_text) {
      page.type = "separator";
      page.type_confidence = 1.0;
      return;
    }

  const std::string folded = text::squeeze(text::fold(page.text));
  double envelope = 0, id_card = 0, form = 0;
  for (const auto& b : page.barcodes) {
    if (s10::normalize(b.text)) envelope += 4;
    if (b.format == "QRCode" && std::holds_alternative<citizen_id::Card>(citizen_id::parse(b.text))) id_card += 4;
  }
  // An S10 item number read in the text (the barcode may be unreadable) and the post's own words.
  for (const auto& candidate : s10::find_in_text(page.text))
    if (s10::valid(candidate)) {
      envelope += 3;
      break;
    }
  for (std::string_view postal : {"buu chinh", "buu gui", "buu pham", "chuyen phat nhanh", "dam bao"})
    if (contains(folded, postal)) envelope += 1;
  if (contains(folded, "nguoi gui")) envelope += 2;
  if (contains(folded, "nguoi nhan")) envelope += 2;
  if (page.width > page.height * 1.2) envelope += 1;  // envelopes are landscape, forms portrait
  if (page.unread_barcodes > 0) envelope += 2;          // a postal label no decoder could read
  // Only documents carry the national motto: a receipt slip or letter that cites the post and an
  // item number is not an envelope (a label's S10 bar code still counts).
  if (contains(folded, "cong hoa xa hoi chu nghia viet nam") || contains(folded, "doc lap - tu do - hanh phuc")) {
    envelope = 0;
    for (const auto& b : page.barcodes)
      if (s10::normalize(b.text)) envelope += 4;
  }
  if (contains(folded, "can cuoc")) id_card += 2;
  if (contains(folded, "chung minh nhan dan")) id_card += 3;  // the older 9/12-digit card
  // The back of a card: fingerprints and identifying marks.
  for (std::string_view back : {"ngon tro", "dau vet rieng", "dac diem nhan dang", "personal identification"})
    if (contains(folded, back)) id_card += 1.5;
  if (contains(folded, "full name") || contains(folded, "date of birth") || contains(folded, "place of residence"))
    id_card += 1;

  const std::string head = head_lines(page.text, 10);
  for (std::string_view title : {"to khai", "don de nghi", "giay de nghi", "don dang ky", "don xin"})
    if (contains(head, title)) form += 3;
  double best_procedure = 0;
  for (const auto& [id, s] : page.procedure_scores) best_procedure = std::max(best_procedure, s);
  if (best_procedure >= 4 && (contains(folded, "cam doan") || contains(folded, "nguoi yeu cau") ||
                              contains(folded, "kinh gui")))
    form += 2;

  const double best = std::max({envelope, id_card, form});
  if (best >= 3) {
    page.type = best == envelope ? "envelope" : best == id_card ? "id_card" : "application_form";
    page.type_confidence = std::min(1.0, best / 6.0);
  } else if (best >= 2 && form == best) {
    page.type = "application_form";
    page.type_confidence = 0.5;
  } else {
    page.type = "supporting_document";
    page.type_confidence = folded.size() > 40 ? 0.7 : 0.4;
  }
}

}  // namespace intake
