#include "stages/extract.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "pipeline/text.h"
#include "stages/citizen_id_qr.h"
#include "stages/s10.h"

namespace intake {
namespace {

using json = nlohmann::json;

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line))
    if (!text::squeeze(line).empty()) out.push_back(line);
  return out;
}

// Folded, letters and spaces only: "Họ, chữ đệm, tên" -> "ho chu dem ten".
std::string label_key(std::string_view s) {
  std::string folded = text::fold(s), out;
  for (char c : folded) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool is_leader_residue(unsigned char c) { return c == '.' || c == ',' || c == ':' || c == ';' || c == '_' || c == '-' || c == ' ' || c == '|'; }

std::string clean_value(std::string v) {
  // Column separators: keep the first column.
  for (std::string_view sep : {"|", "   "}) {
    const auto p = v.find(sep);
    if (p != std::string::npos && p > 0) v = v.substr(0, p);
  }
  // "…" (U+2026) and runs of dots are leader residue.
  for (std::string ell = "\xE2\x80\xA6"; v.find(ell) != std::string::npos;) v.erase(v.find(ell), ell.size());
  while (!v.empty() && is_leader_residue(static_cast<unsigned char>(v.back()))) v.pop_back();
  std::size_t start = 0;
  while (start < v.size() && is_leader_residue(static_cast<unsigned char>(v[start]))) ++start;
  return text::squeeze(v.substr(start));
}

// Splits "Label: value" at the first ':'; nothing when the line has none.
bool split_label(const std::string& line, std::string& label, std::string& value) {
  const auto colon = line.find(':');
  if (colon == std::string::npos) return false;
  // "Tôi là (ghi họ tên bằng chữ in hoa)": a remark in brackets is not part of the label.
  std::string raw = line.substr(0, colon);
  for (auto open = raw.find('('); open != std::string::npos; open = raw.find('(')) {
    const auto close = raw.find(')', open);
    raw.erase(open, close == std::string::npos ? std::string::npos : close - open + 1);
  }
  label = label_key(raw);
  value = line.substr(colon + 1);
  return true;
}


std::optional<std::string> twelve_digits(const std::string& value) {
  std::string digits;
  for (char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c == ' ' || c == '.') continue;
    else if (!digits.empty()) break;
  }
  if (digits.size() == 12) return digits;
  return std::nullopt;
}

std::optional<std::string> date_dmy(const std::string& value) {
  static const std::regex re(R"((\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}))");
  std::smatch m;
  if (!std::regex_search(value, m, re)) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%04d", std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
  return citizen_id::iso_date_from_ddmmyyyy(buf);
}

std::optional<std::string> sex_of(const std::string& value) {
  const auto k = label_key(value);
  if (k == "nam" || k.rfind("nam ", 0) == 0) return "Nam";
  if (k == "nu" || k.rfind("nu ", 0) == 0) return "Nữ";
  return std::nullopt;
}

std::optional<std::string> phone_of(const std::string& value) {
  std::string digits;
  for (char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c == ' ' || c == '.' || c == '-' || c == '+') continue;
    else if (!digits.empty()) break;
  }
  if (digits.rfind("84", 0) == 0 && digits.size() == 11) digits = "0" + digits.substr(2);
  if (digits.size() >= 10 && digits.size() <= 11 && digits[0] == '0') return digits;
  return std::nullopt;
}

std::string name_case(const std::string& name) {
  // Names printed in capitals ("chữ in hoa") are given in normal case.
  bool has_lower = false;
  for (unsigned char c : name)
    if (std::islower(c)) has_lower = true;
  return has_lower ? name : text::title_case(name);
}

// The page's words as OCR lines (the order Tesseract read them in).
std::vector<std::vector<const Word*>> word_lines(const std::vector<Word>& words) {
  std::vector<std::vector<const Word*>> lines;
  for (const auto& w : words) {
    if (lines.empty() || lines.back().front()->line != w.line) lines.emplace_back();
    lines.back().push_back(&w);
  }
  return lines;
}

}  // namespace

std::vector<const Word*> words_of(const std::vector<Word>& words, const std::string& value) {
  const std::string wanted = text::match_key(value);
  if (wanted.empty()) return {};
  for (const auto& line : word_lines(words)) {
    std::string key;
    std::vector<std::size_t> owner;  // byte of `key` -> word of `line`
    for (std::size_t i = 0; i < line.size(); ++i) {
      const std::string k = text::match_key(line[i]->text);
      key += k;
      owner.insert(owner.end(), k.size(), i);
    }
    const auto at = key.find(wanted);
    if (at == std::string::npos) continue;
    return {line.begin() + static_cast<long>(owner[at]),
            line.begin() + static_cast<long>(owner[at + wanted.size() - 1]) + 1};
  }
  return {};
}

json read_evidence(const std::vector<const Word*>& words, const std::string& label, double page_confidence) {
  json boxes = json::array();
  double least = 100;
  for (const Word* w : words) {
    boxes.push_back(
        {{"text", w->text}, {"confidence", std::round(w->confidence * 10) / 10}, {"box", {w->x, w->y, w->w, w->h}}});
    least = std::min<double>(least, w->confidence);
  }
  // A value not found among the words (OCR's text and its words disagree on spacing across
  // lines) is as sure as the page's reading as a whole, and says so by having no words.
  const double confidence = words.empty() ? page_confidence / 100 : least / 100;
  return {{"source", "ocr"},
          {"label", label.empty() ? json() : json(label)},
          {"words", boxes},
          {"confidence", std::round(std::clamp(confidence, 0.0, 1.0) * 100) / 100},
          {"checks", json::array()}};
}

std::string layout_text(const std::vector<Word>& words) {
  std::vector<int> heights;
  for (const auto& w : words)
    if (w.h > 0) heights.push_back(w.h);
  if (heights.empty()) return {};
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const double gap = 1.5 * heights[heights.size() / 2];
  std::string out;
  const Word* previous = nullptr;
  for (const auto& w : words) {
    if (!text::has_alnum(w.text)) continue;
    if (previous) out += previous->line != w.line || w.x - (previous->x + previous->w) > gap ? "\n" : " ";
    out += w.text;
    previous = &w;
  }
  return out;
}

Labelled labelled(const std::string& page_text, const std::vector<std::string>& labels) {
  const auto lines = lines_of(page_text);
  for (const auto& wanted : labels) {
    const std::string key = label_key(wanted);
    for (const auto& line : lines) {
      std::string label, value;
      if (!split_label(line, label, value)) continue;
      if (label == key || (label.size() > key.size() && label.compare(label.size() - key.size(), key.size(), key) == 0 &&
                           label[label.size() - key.size() - 1] == ' ')) {
        const auto v = clean_value(value);
        if (!v.empty()) return {text::squeeze(line.substr(0, line.find(':'))), v};
      }
    }
  }
  return {};
}

std::string labeled_value(const std::string& page_text, const std::vector<std::string>& labels) {
  return labelled(page_text, labels).value;
}

namespace {

bool starts_with_word(const std::string& folded, std::string_view word) {
  return folded.rfind(word, 0) == 0 && (folded.size() == word.size() || folded[word.size()] == ' ');
}

bool ends_with_word(const std::string& folded, std::string_view word) {
  return folded.size() >= word.size() && folded.compare(folded.size() - word.size(), word.size(), word) == 0 &&
         (folded.size() == word.size() || folded[folded.size() - word.size() - 1] == ' ');
}

// Administrative units and street words that a Vietnamese address never ends with.
constexpr std::string_view kUnitWords[] = {"tinh", "huyen", "quan", "thanh pho", "thi xa", "xa", "phuong",
                                           "thi tran", "ap", "to", "thon", "xom", "duong", "so", "khu pho"};

// The address stops in the middle: after a comma or on a unit word with no name after it.
bool address_cut(const std::string& address) {
  if (!address.empty() && address.back() == ',') return true;
  const std::string folded = label_key(address);
  for (auto w : kUnitWords)
    if (ends_with_word(folded, w)) return true;
  return false;
}

// A line that carries on an address wrapped on the envelope: no label, not a stamp in capitals,
// and either the address so far is cut or the line starts with a unit word ("tỉnh Long An").
bool continues_address(const std::string& address, const std::string& line) {
  if (text::mostly_upper(line) || !text::has_alnum(line)) return false;
  if (address_cut(address)) return true;
  const std::string folded = label_key(line);
  for (auto w : {"tinh", "huyen", "quan", "thanh pho", "thi xa"})
    if (starts_with_word(folded, w)) return true;
  return false;
}

// How sure a value is whose label was read only nearly right.
constexpr double kMisreadLabelConfidence = 0.5;

// One letter off "sdt" (the usual short label of a phone number): "sbt", "sđt" read "sat", "sdi".
bool near_phone_label(const std::string& label) {
  if (label.size() != 3 || label == "sdt") return false;
  int differ = 0;
  for (std::size_t i = 0; i < 3; ++i) differ += label[i] != "sdt"[i];
  return differ == 1;
}

// "NGƯỜI GỬI" / "Người gửi:" (optionally with the value after the colon).
bool heading_is(const std::string& line, std::string_view who) {
  std::string label, value;
  if (split_label(line, label, value)) return label.find(who) != std::string::npos;
  return starts_with_word(label_key(line), who);
}

}  // namespace

// An administrative unit word that lost its marks before a name ("xa Long Phước" for "xã Long
// Phước"): OCR dropped a tone mark there, and may have elsewhere in the address.
bool unit_word_unmarked(const std::string& address) {
  static const std::set<std::string> kBare = {"xa", "huyen", "tinh", "phuong", "thon", "xom", "quan", "duong", "thi"};
  std::istringstream in(address);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  auto capitalised = [](const std::string& w) {  // its first letter is a capital (any script)
    const unsigned char lead = static_cast<unsigned char>(w[0]);
    const std::size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    const std::string first = w.substr(0, n);
    return text::has_alnum(first) && text::upper(first) == first && text::fold(first) != first;
  };
  for (std::size_t i = 0; i + 1 < words.size(); ++i)
    if (kBare.count(words[i]) && capitalised(words[i + 1])) return true;
  return false;
}

// An address's checks: a province at its end (the caller's), unit words spelt as they are.
void address_checks(json& e, const std::string& address) {
  if (unit_word_unmarked(address)) e["confidence"] = std::min(e["confidence"].get<double>(), kUnmarkedUnitConfidence);
  else e["checks"].push_back("unit_words");
}

// A name's checks: Vietnamese syllables, and a family name first (else as doubtful as an
// unknown family name makes it).
void name_checks(json& e, const std::string& name, const Surnames* surnames) {
  if (text::vietnamese_name(name)) e["checks"].push_back("vietnamese_name");
  if (!surnames) return;
  if (surnames->known(name)) e["checks"].push_back("known_surname");
  else e["confidence"] = std::min(e["confidence"].get<double>(), kUnknownSurnameConfidence);
}

json extract_sender(const std::string& envelope_text, std::vector<std::string>* doubts, const Provinces* provinces,
                    const std::vector<Word>* words, json* evidence, double page_confidence, const Surnames* surnames) {
  json sender{{"name", nullptr}, {"address", nullptr}, {"phone", nullptr}};
  // What each value was read from: its label as printed and the pieces of text it was made of.
  struct Source {
    std::string label;
    std::vector<std::string> pieces;
    bool label_misread = false;  // only close to the field's label
  };
  std::map<std::string, Source> read;
  auto label_of = [](const std::string& line) { return text::squeeze(line.substr(0, line.find(':'))); };
  const auto lines = lines_of(envelope_text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!heading_is(lines[i], "nguoi gui")) continue;
    std::string label, value;
    if (split_label(lines[i], label, value))
      if (auto name = clean_value(value); !name.empty()) {
        sender["name"] = name_case(name);
        read["name"] = {label_of(lines[i]), {name}};
      }
    std::string address;
    bool in_address = false, comma = false;  // comma: the address line so far ended with ','
    auto ends_with_comma = [](std::string v) {
      while (!v.empty() && (v.back() == ' ' || v.back() == '.' || v.back() == '\t')) v.pop_back();
      return !v.empty() && v.back() == ',';
    };
    for (std::size_t j = i + 1; j < lines.size() && j <= i + 8; ++j) {
      if (heading_is(lines[j], "nguoi nhan")) break;
      if (!split_label(lines[j], label, value)) {
        if (in_address && continues_address(comma ? address + "," : address, lines[j])) {
          address = text::squeeze(address + (comma ? ", " : " ") + clean_value(lines[j]));
          read["address"].pieces.push_back(clean_value(lines[j]));
          comma = ends_with_comma(lines[j]);
        } else {
          in_address = false;
        }
        continue;
      }
      in_address = false;
      if (sender["name"].is_null() && (label == "ho ten" || label == "ho va ten" || label == "ten")) {
        if (auto name = clean_value(value); !name.empty()) {
          sender["name"] = name_case(name);
          read["name"] = {label_of(lines[j]), {name}};
        }
      } else if (address.empty() && (label.find("dia chi") != std::string::npos || label == "d c")) {
        address = clean_value(value);
        in_address = !address.empty();
        comma = ends_with_comma(value);
        read["address"] = {label_of(lines[j]), {address}};
      } else if (sender["phone"].is_null() &&
                 (label.find("dien thoai") != std::string::npos || label == "sdt" || label == "dt")) {
        if (auto p = phone_of(value)) {
          sender["phone"] = *p;
          read["phone"] = {label_of(lines[j]), {clean_value(value)}};
        }
      } else if (sender["phone"].is_null() && near_phone_label(label)) {
        // "SBT: 0865 926 175": the label misread, the number phone-shaped. Taken, but as doubtful
        // as a misread label makes it (field_unsure:sender.phone below the threshold).
        if (auto p = phone_of(value)) {
          sender["phone"] = *p;
          read["phone"] = {label_of(lines[j]), {clean_value(value)}, true};
        }
      }
    }
    if (!address.empty()) {
      if (comma || address_cut(address) || (provinces && !provinces->ends_address(address))) {
        if (doubts) doubts->push_back("sender_address_incomplete");
      } else {
        sender["address"] = address;
      }
    }
    break;
  }
  if (evidence && words) {
    for (const auto& [field, source] : read) {
      if (sender[field].is_null()) continue;
      std::vector<const Word*> ws;
      bool all = true;
      for (const auto& piece : source.pieces) {
        auto found = words_of(*words, piece);
        all = all && !found.empty();
        ws.insert(ws.end(), found.begin(), found.end());
      }
      json e = read_evidence(all ? ws : std::vector<const Word*>{}, source.label, page_confidence);
      const std::string value = sender[field].get<std::string>();
      if (field == "name") name_checks(e, value, surnames);
      if (field == "address") {
        e["checks"].push_back("known_province");
        address_checks(e, value);
      }
      if (field == "phone") e["checks"].push_back("phone_format");
      if (source.label_misread) e["confidence"] = std::min(e["confidence"].get<double>(), kMisreadLabelConfidence);
      (*evidence)["sender." + field] = e;
    }
  }
  return sender;
}

json extract_applicant_from_form(const std::string& text, const std::vector<Word>* words, json* evidence,
                                 double page_confidence, const Provinces* provinces, const Surnames* surnames) {
  json a{{"full_name", nullptr}, {"id_number", nullptr}, {"date_of_birth", nullptr},
         {"sex", nullptr},       {"address", nullptr},   {"source", "ocr"}};
  // The field's evidence: the words `printed` was read from, after the label as read.
  auto note = [&](const char* field, const Labelled& l, const std::string& printed, std::vector<std::string> checks) {
    if (!evidence || !words) return;
    json e = read_evidence(words_of(*words, printed), l.label, page_confidence);
    for (auto& c : checks) e["checks"].push_back(std::move(c));
    (*evidence)[std::string("applicant.") + field] = e;
  };
  if (auto l = labelled(text, {"Họ, chữ đệm, tên người yêu cầu", "Họ và tên người yêu cầu", "Tôi là", "Họ và tên",
                               "Họ, chữ đệm, tên"});
      !l.value.empty()) {
    // "Tôi là (ghi họ tên bằng chữ in hoa): TRẦN VĂN BÌNH": the label may carry a remark.
    // A Vietnamese full name without a single accent ("Nguyen Minh Linh", "Bang Duy Tam Loc") is
    // what Tesseract makes of a faint or blurred line: left null (the dossier is then flagged
    // applicant_incomplete) rather than stored misspelt.
    const std::string& v = l.value;
    const bool accented = std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (accented) {
      a["full_name"] = name_case(v);
      note("full_name", l, v, {});
      if (evidence && evidence->contains("applicant.full_name"))
        name_checks((*evidence)["applicant.full_name"], v, surnames);
    }
  }
  if (auto l = labelled(text, {"Số định danh cá nhân", "Số CCCD", "Số căn cước công dân", "Số căn cước"});
      !l.value.empty())
    if (auto id = twelve_digits(l.value)) {
      a["id_number"] = *id;
      const bool known = !provinces || provinces->id_code(std::stoi(id->substr(0, 3)));
      note("id_number", l, *id, known ? std::vector<std::string>{"citizen_id_province"} : std::vector<std::string>{});
    }
  if (auto l = labelled(text, {"Ngày, tháng, năm sinh", "Ngày sinh"}); !l.value.empty())
    if (auto d = date_dmy(l.value)) {
      a["date_of_birth"] = *d;
      note("date_of_birth", l, l.value, {"date"});
    }
  if (auto l = labelled(text, {"Giới tính"}); !l.value.empty())
    if (auto sx = sex_of(l.value)) {
      a["sex"] = *sx;
      note("sex", l, l.value, {});
    }
  if (auto l = labelled(text, {"Nơi cư trú", "Địa chỉ thường trú", "Địa chỉ liên lạc", "Địa chỉ"}); !l.value.empty()) {
    a["address"] = l.value;
    const bool known = provinces && provinces->ends_address(l.value);
    note("address", l, l.value, known ? std::vector<std::string>{"known_province"} : std::vector<std::string>{});
    if (evidence && evidence->contains("applicant.address")) address_checks((*evidence)["applicant.address"], l.value);
  }
  return a;
}

void ExtractStage::process(PageItem& page, WorkerState*) const {
  if (!page.type) return;
  const std::string& type = *page.type;
  const double page_confidence = page.ocr_confidence.value_or(0);
  json evidence = json::object();
  if (type == "envelope") {
    json tracking{{"number", nullptr}, {"valid", false}, {"source", nullptr}};
    // Barcodes first: Code 128 carries its own checksum, so what it says is what is printed.
    for (const auto& b : page.barcodes) {
      auto id = s10::normalize(b.text);
      if (!id) continue;
      const bool ok = s10::valid(*id);
      if (tracking["number"].is_null() || (ok && !tracking["valid"].get<bool>())) {
        tracking = {{"number", *id}, {"valid", ok}, {"source", "barcode"}};
        json checks = json::array({"barcode:" + b.format});
        if (ok) checks.push_back("s10_check_digit");
        evidence["tracking_number"] = {{"source", "barcode"},
                                       {"label", nullptr},
                                       {"words", json::array()},
                                       {"confidence", ok ? 1.0 : 0.0},
                                       {"checks", checks}};
      }
    }
    if (tracking["number"].is_null()) {
      for (const auto& candidate : s10::find_in_text(page.text))
        if (s10::valid(candidate)) {
          tracking = {{"number", candidate}, {"valid", true}, {"source", "ocr"}};
          page.flag("tracking_number_from_ocr");
          json e = read_evidence(words_of(page.words, candidate), "", page_confidence);
          e["checks"].push_back("s10_check_digit");
          evidence["tracking_number"] = e;
          break;
        }
    }
    page.fields["tracking"] = tracking;
    std::vector<std::string> doubts;
    page.fields["sender"] = extract_sender(page.words.empty() ? page.text : layout_text(page.words), &doubts,
                                           &provinces_, &page.words, &evidence, page_confidence, &surnames_);
    for (const auto& d : doubts) page.flag(d);
  } else if (type == "id_card") {
    for (const auto& b : page.barcodes) {
      if (b.format != "QRCode") continue;
      auto parsed = citizen_id::parse(b.text);
      if (auto* card = std::get_if<citizen_id::Card>(&parsed)) {
        page.fields["applicant"] = {{"full_name", card->full_name},
                                    {"id_number", card->id_number},
                                    {"date_of_birth", card->date_of_birth},
                                    {"sex", card->sex ? json(*card->sex) : json()},
                                    {"address", card->address ? json(*card->address) : json()},
                                    {"source", "id_card_qr"}};
        // The QR code's own error correction: what it says is what the card's chip-era print says.
        for (const char* f : {"full_name", "id_number", "date_of_birth", "sex", "address"}) {
          if (page.fields["applicant"][f].is_null()) continue;
          json checks = json::array({"qr_payload"});
          if (std::string_view(f) == "id_number" && provinces_.id_code(std::stoi(card->id_number.substr(0, 3))))
            checks.push_back("citizen_id_province");
          evidence[std::string("applicant.") + f] = {{"source", "id_card_qr"},
                                                     {"label", nullptr},
                                                     {"words", json::array()},
                                                     {"confidence", 1.0},
                                                     {"checks", checks}};
        }
        page.fields["evidence"] = evidence;
        return;
      }
      page.flag("id_card_qr_unreadable:page=" + std::to_string(page.number));
    }
  } else if (type == "application_form") {
    page.fields["applicant"] =
        extract_applicant_from_form(page.text, &page.words, &evidence, page_confidence, &provinces_, &surnames_);
  }
  if (!evidence.empty()) page.fields["evidence"] = evidence;
}

}  // namespace intake
