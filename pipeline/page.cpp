#include "pipeline/page.h"

#include <algorithm>
#include <limits>

namespace intake {
namespace {

using json = nlohmann::json;

// A number a peer or the store sent where an int belongs. json's own get<int>() of 1e300 is
// undefined behaviour (and of 2^40 wraps): refused here as the type error decode() reports.
int int_of(const json& v, const char* key) {
  constexpr auto lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(hi)) return static_cast<int>(v.get<uint64_t>());
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= lo && v.get<int64_t>() <= hi)
    return static_cast<int>(v.get<int64_t>());
  throw json::type_error::create(302, std::string("'") + key + "' must be an integer within int range", &v);
}

int int_or(const json& j, const char* key, int fallback) { return j.contains(key) ? int_of(j[key], key) : fallback; }

std::vector<int> ints_or_empty(const json& j, const char* key) {
  std::vector<int> out;
  if (!j.contains(key)) return out;
  for (const auto& v : j[key].get_ref<const json::array_t&>()) out.push_back(int_of(v, key));
  return out;
}

}  // namespace

void PageItem::flag(std::string reason) {
  if (std::find(flags.begin(), flags.end(), reason) == flags.end()) flags.push_back(std::move(reason));
}

nlohmann::json to_json(const PageItem& p) {
  nlohmann::json evidence = nlohmann::json::array();
  for (const auto& e : p.evidence) evidence.push_back({{"signal", e.signal}, {"weight", e.weight}});
  nlohmann::json barcodes = nlohmann::json::array();
  for (const auto& b : p.barcodes)
    barcodes.push_back({{"format", b.format}, {"text", b.text}, {"position", b.position}});
  nlohmann::json words = nlohmann::json::array();
  for (const auto& w : p.words)
    words.push_back({{"text", w.text}, {"conf", w.confidence}, {"box", {w.x, w.y, w.w, w.h}}, {"line", w.line}});
  return {
      {"batch_id", p.batch_id},
      {"number", p.number},
      {"source_file", p.source_file},
      {"source_page", p.source_page},
      {"content_hash", p.content_hash},
      {"attempt", p.attempt},
      {"token", p.token},
      {"rotation", p.rotation},
      {"orientation_confidence", p.orientation_confidence},
      {"orientation_checked", p.orientation_checked},
      {"skew_deg", p.skew_deg},
      {"blank", p.blank},
      {"ink_threshold", p.ink_threshold},
      {"width", p.width},
      {"height", p.height},
      {"barcodes", barcodes},
      {"unread_barcodes", p.unread_barcodes},
      {"ocr_done", p.ocr_done},
      {"text", p.text},
      {"ocr_confidence", p.ocr_confidence ? nlohmann::json(*p.ocr_confidence) : nlohmann::json()},
      {"words", words},
      {"type", p.type ? nlohmann::json(*p.type) : nlohmann::json()},
      {"type_confidence", p.type_confidence},
      {"procedure_scores", p.procedure_scores},
      {"evidence", evidence},
      {"fields", p.fields},
      {"flags", p.flags},
      {"error", p.error ? nlohmann::json(*p.error) : nlohmann::json()},
      {"timings_ms", p.timings_ms},
  };
}

PageItem page_from_json(const nlohmann::json& j) {
  PageItem p;
  p.batch_id = j.at("batch_id").get<std::string>();
  p.number = int_of(j.at("number"), "number");
  p.source_file = j.at("source_file").get<std::string>();
  p.source_page = int_of(j.at("source_page"), "source_page");
  p.content_hash = j.at("content_hash").get<std::string>();
  p.attempt = int_or(j, "attempt", 1);
  p.token = j.value("token", "");
  p.rotation = int_or(j, "rotation", 0);
  p.orientation_confidence = j.value("orientation_confidence", 0.0);
  p.orientation_checked = j.value("orientation_checked", false);
  p.skew_deg = j.value("skew_deg", 0.0);
  p.blank = j.value("blank", false);
  p.ink_threshold = j.value("ink_threshold", -1);
  p.width = int_or(j, "width", 0);
  p.height = int_or(j, "height", 0);
  for (const auto& b : j.value("barcodes", nlohmann::json::array()))
    p.barcodes.push_back({b.at("format").get<std::string>(), b.at("text").get<std::string>(),
                          ints_or_empty(b, "position")});
  p.unread_barcodes = int_or(j, "unread_barcodes", 0);
  p.ocr_done = j.value("ocr_done", false);
  p.text = j.value("text", "");
  if (j.contains("ocr_confidence") && !j["ocr_confidence"].is_null())
    p.ocr_confidence = j["ocr_confidence"].get<double>();
  for (const auto& w : j.value("words", nlohmann::json::array())) {
    Word word{w.at("text").get<std::string>(), w.value("conf", 0.0f)};
    auto box = ints_or_empty(w, "box");
    if (box.size() == 4) word.x = box[0], word.y = box[1], word.w = box[2], word.h = box[3];
    word.line = int_or(w, "line", 0);
    p.words.push_back(std::move(word));
  }
  if (j.contains("type") && !j["type"].is_null()) p.type = j["type"].get<std::string>();
  p.type_confidence = j.value("type_confidence", 0.0);
  p.procedure_scores = j.value("procedure_scores", std::map<std::string, double>{});
  for (const auto& e : j.value("evidence", nlohmann::json::array()))
    p.evidence.push_back({e.at("signal").get<std::string>(), e.at("weight").get<double>()});
  p.fields = j.value("fields", nlohmann::json::object());
  p.flags = j.value("flags", std::vector<std::string>{});
  if (j.contains("error") && !j["error"].is_null()) p.error = j["error"].get<std::string>();
  p.timings_ms = j.value("timings_ms", std::map<std::string, double>{});
  return p;
}

}  // namespace intake
