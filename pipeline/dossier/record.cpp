#include "pipeline/dossier/record.h"

#include <algorithm>
#include <array>

namespace intake {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 6> kPageTypes{"envelope", "separator",           "application_form",
                                                     "id_card",  "supporting_document", "blank"};
constexpr std::array<std::string_view, 6> kDossierStates{"received",           "assigned", "in_progress",
                                                         "waiting_supplement", "resolved", "returned"};
constexpr std::array<std::string_view, 4> kLedgerStates{"pending", "processed", "quarantined", "committed"};
constexpr std::array<std::string_view, 2> kBatchStates{"open", "committed"};

template <typename E, std::size_t N>
std::optional<E> parse_enum(const std::array<std::string_view, N>& names, std::string_view s) {
  const auto it = std::find(names.begin(), names.end(), s);
  if (it == names.end()) return std::nullopt;
  return static_cast<E>(it - names.begin());
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(); }
json opt(const std::optional<double>& v) { return v ? json(*v) : json(); }
json opt(const std::optional<int>& v) { return v ? json(*v) : json(); }

// Reading: each getter names the field it could not read.
[[noreturn]] void bad(const std::string& path, const char* what) {
  throw RecordError("record: '" + path + "' " + what);
}

const json& member(const json& j, const char* key, const std::string& path) {
  if (!j.is_object()) bad(path, "must be an object");
  const auto it = j.find(key);
  if (it == j.end()) bad(path.empty() ? key : path + "." + key, "is missing");
  return *it;
}
std::string path_of(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

std::string get_string(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (!v.is_string()) bad(path_of(path, key), "must be a string");
  return v.get<std::string>();
}
std::optional<std::string> get_opt_string(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) bad(path_of(path, key), "must be a string or null");
  return v.get<std::string>();
}
std::optional<double> get_opt_number(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) bad(path_of(path, key), "must be a number or null");
  return v.get<double>();
}
int get_int(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (!v.is_number_integer()) bad(path_of(path, key), "must be an integer");
  return v.get<int>();
}
bool get_bool(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (!v.is_boolean()) bad(path_of(path, key), "must be true or false");
  return v.get<bool>();
}
const json& get_array(const json& j, const char* key, const std::string& path = "") {
  const json& v = member(j, key, path);
  if (!v.is_array()) bad(path_of(path, key), "must be a list");
  return v;
}

}  // namespace

std::string_view name_of(PageType t) { return kPageTypes[static_cast<std::size_t>(t)]; }
std::string_view name_of(DossierState s) { return kDossierStates[static_cast<std::size_t>(s)]; }
std::string_view name_of(LedgerState s) { return kLedgerStates[static_cast<std::size_t>(s)]; }
std::string_view name_of(BatchState s) { return kBatchStates[static_cast<std::size_t>(s)]; }
std::optional<PageType> parse_page_type(std::string_view s) { return parse_enum<PageType>(kPageTypes, s); }
std::optional<DossierState> parse_dossier_state(std::string_view s) {
  return parse_enum<DossierState>(kDossierStates, s);
}
std::optional<LedgerState> parse_ledger_state(std::string_view s) { return parse_enum<LedgerState>(kLedgerStates, s); }
std::optional<BatchState> parse_batch_state(std::string_view s) { return parse_enum<BatchState>(kBatchStates, s); }

std::string ReviewReason::code() const { return text.substr(0, text.find(':')); }

std::optional<int> ReviewReason::page() const {
  const auto at = text.find(":page=");
  if (at == std::string::npos) return std::nullopt;
  int n = 0;
  std::size_t i = at + 6;
  if (i >= text.size()) return std::nullopt;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 1'000'000; ++i) n = n * 10 + (text[i] - '0');
  if (i != text.size() && text[i] != ':') return std::nullopt;
  return n;
}

void DossierRecord::flag(const std::string& reason) {
  if (std::none_of(reasons.begin(), reasons.end(), [&](const ReviewReason& r) { return r.text == reason; }))
    reasons.push_back({reason});
}

const std::vector<std::string>& evidence_fields() {
  static const std::vector<std::string> kFields = {
      "tracking_number",     "sender.name",         "sender.address",          "sender.phone",
      "applicant.full_name", "applicant.id_number", "applicant.date_of_birth", "applicant.sex",
      "applicant.address",   "procedure.id"};
  return kFields;
}

std::optional<std::string>* field(Applicant& a, std::string_view key) {
  if (key == "applicant.full_name") return &a.full_name;
  if (key == "applicant.id_number") return &a.id_number;
  if (key == "applicant.date_of_birth") return &a.date_of_birth;
  if (key == "applicant.sex") return &a.sex;
  if (key == "applicant.address") return &a.address;
  return nullptr;
}

std::optional<std::string>* field(DossierRecord& r, std::string_view key) {
  if (key == "tracking_number") return &r.tracking_number;
  if (key == "sender.name") return &r.sender.name;
  if (key == "sender.address") return &r.sender.address;
  if (key == "sender.phone") return &r.sender.phone;
  if (key == "procedure.id") return &r.procedure.id;
  return field(r.applicant, key);
}

const std::optional<std::string>* field(const Applicant& a, std::string_view key) {
  return field(const_cast<Applicant&>(a), key);
}

const std::optional<std::string>* field(const DossierRecord& r, std::string_view key) {
  return field(const_cast<DossierRecord&>(r), key);
}

void FieldEvidence::check(const std::string& c) {
  if (std::find(checks.begin(), checks.end(), c) == checks.end()) checks.push_back(c);
}

json to_json(const FieldEvidence& e) {
  json words = json::array();
  for (const auto& w : e.words)
    words.push_back({{"text", w.text}, {"confidence", w.confidence}, {"box", {w.x, w.y, w.w, w.h}}});
  return {{"source", e.source}, {"page", opt(e.page)},        {"label", opt(e.label)},
          {"words", words},     {"confidence", e.confidence}, {"checks", e.checks}};
}

FieldEvidence evidence_from_json(const json& j, const std::string& at) {
  if (!j.is_object()) bad(at, "must be an object");
  FieldEvidence e;
  e.source = get_string(j, "source", at);
  if (j.contains("page") && !j["page"].is_null()) e.page = get_int(j, "page", at);
  e.label = get_opt_string(j, "label", at);
  for (const auto& w : get_array(j, "words", at)) {
    const json& box = member(w, "box", at + ".words[]");
    if (!box.is_array() || box.size() != 4 ||
        !std::all_of(box.begin(), box.end(), [](const json& v) { return v.is_number_integer(); }))
      bad(at + ".words[].box", "must be [x, y, w, h]");
    const auto c = get_opt_number(w, "confidence", at + ".words[]");
    e.words.push_back({get_string(w, "text", at + ".words[]"), c.value_or(0), box[0].get<int>(), box[1].get<int>(),
                       box[2].get<int>(), box[3].get<int>()});
  }
  const auto c = get_opt_number(j, "confidence", at);
  if (!c || *c < 0 || *c > 1) bad(at + ".confidence", "must be a number in [0, 1]");
  e.confidence = *c;
  for (const auto& c : get_array(j, "checks", at)) {
    if (!c.is_string()) bad(at + ".checks[]", "must be strings");
    e.checks.push_back(c.get<std::string>());
  }
  return e;
}

json to_json(const DossierRecord& r) {
  json documents = json::array();
  for (const auto& d : r.documents) documents.push_back({{"type", d.type}, {"pages", d.pages}});
  json pages = json::array();
  for (const auto& p : r.pages) {
    json barcodes = json::array();
    for (const auto& b : p.barcodes) barcodes.push_back({{"format", b.format}, {"text", b.text}});
    pages.push_back({{"number", p.number},
                     {"source_file", p.source_file},
                     {"source_page", p.source_page},
                     {"type", p.type ? json(name_of(*p.type)) : json()},
                     {"rotation", p.rotation},
                     {"skew_deg", p.skew_deg},
                     {"blank", p.blank},
                     {"barcodes", barcodes},
                     {"unread_barcodes", p.unread_barcodes},
                     {"text", p.text},
                     {"ocr_confidence", opt(p.ocr_confidence)}});
  }
  json reasons = json::array();
  for (const auto& reason : r.reasons) reasons.push_back(reason.text);
  json evidence = json::object();
  for (const auto& [key, e] : r.evidence) evidence[key] = to_json(e);
  return {
      {"schema", kDossierSchema},
      {"dossier_code", opt(r.dossier_code)},
      {"batch_id", r.batch_id},
      {"channel", r.channel},
      {"received_at", r.received_at},
      {"tracking_number", opt(r.tracking_number)},
      {"tracking_valid", r.tracking_valid},
      {"sender", {{"name", opt(r.sender.name)}, {"address", opt(r.sender.address)}, {"phone", opt(r.sender.phone)}}},
      {"applicant",
       {{"full_name", opt(r.applicant.full_name)},
        {"id_number", opt(r.applicant.id_number)},
        {"date_of_birth", opt(r.applicant.date_of_birth)},
        {"sex", opt(r.applicant.sex)},
        {"address", opt(r.applicant.address)},
        {"source", opt(r.applicant.source)}}},
      {"procedure",
       {{"id", opt(r.procedure.id)},
        {"code", opt(r.procedure.code)},
        {"name", opt(r.procedure.name)},
        {"confidence", opt(r.procedure.confidence)}}},
      {"department", opt(r.department)},
      {"due_date", opt(r.due_date)},
      {"documents", documents},
      {"pages", pages},
      {"review", {{"required", r.review_required()}, {"reasons", reasons}}},
      {"evidence", evidence}};
}

DossierRecord dossier_from_json(const json& j) {
  if (!j.is_object()) throw RecordError("record: not a JSON object");
  if (get_string(j, "schema") != kDossierSchema) bad("schema", "is not intake.dossier/1");
  DossierRecord r;
  r.dossier_code = get_opt_string(j, "dossier_code");
  r.batch_id = get_string(j, "batch_id");
  r.channel = get_string(j, "channel");
  r.received_at = get_string(j, "received_at");
  r.tracking_number = get_opt_string(j, "tracking_number");
  r.tracking_valid = get_bool(j, "tracking_valid");
  const json& sender = member(j, "sender", "");
  r.sender = {get_opt_string(sender, "name", "sender"), get_opt_string(sender, "address", "sender"),
              get_opt_string(sender, "phone", "sender")};
  const json& a = member(j, "applicant", "");
  r.applicant = {get_opt_string(a, "full_name", "applicant"),     get_opt_string(a, "id_number", "applicant"),
                 get_opt_string(a, "date_of_birth", "applicant"), get_opt_string(a, "sex", "applicant"),
                 get_opt_string(a, "address", "applicant"),       get_opt_string(a, "source", "applicant")};
  const json& proc = member(j, "procedure", "");
  r.procedure = {get_opt_string(proc, "id", "procedure"), get_opt_string(proc, "code", "procedure"),
                 get_opt_string(proc, "name", "procedure"), get_opt_number(proc, "confidence", "procedure")};
  r.department = get_opt_string(j, "department");
  r.due_date = get_opt_string(j, "due_date");
  for (const auto& d : get_array(j, "documents")) {
    DocumentRef doc{get_string(d, "type", "documents[]"), {}};
    for (const auto& n : get_array(d, "pages", "documents[]")) {
      if (!n.is_number_integer()) bad("documents[].pages[]", "must be page numbers");
      doc.pages.push_back(n.get<int>());
    }
    r.documents.push_back(std::move(doc));
  }
  for (const auto& p : get_array(j, "pages")) {
    const std::string at = "pages[]";
    PageRecord page;
    page.number = get_int(p, "number", at);
    page.source_file = get_string(p, "source_file", at);
    page.source_page = get_int(p, "source_page", at);
    if (const auto type = get_opt_string(p, "type", at)) {
      page.type = parse_page_type(*type);
      if (!page.type) bad(at + ".type", "is not a page type");
    }
    page.rotation = get_int(p, "rotation", at);
    const json& skew = member(p, "skew_deg", at);
    if (!skew.is_number()) bad(at + ".skew_deg", "must be a number");
    page.skew_deg = skew.get<double>();
    page.blank = get_bool(p, "blank", at);
    for (const auto& b : get_array(p, "barcodes", at))
      page.barcodes.push_back({get_string(b, "format", at + ".barcodes[]"), get_string(b, "text", at + ".barcodes[]")});
    page.unread_barcodes = get_int(p, "unread_barcodes", at);
    page.text = get_string(p, "text", at);
    page.ocr_confidence = get_opt_number(p, "ocr_confidence", at);
    r.pages.push_back(std::move(page));
  }
  const json& review = member(j, "review", "");
  for (const auto& reason : get_array(review, "reasons", "review")) {
    if (!reason.is_string()) bad("review.reasons[]", "must be strings");
    r.reasons.push_back({reason.get<std::string>()});
  }
  if (get_bool(review, "required", "review") != r.review_required())
    bad("review.required", "disagrees with its reasons");
  // Records written before evidence was kept have none.
  if (j.contains("evidence")) {
    if (!j["evidence"].is_object()) bad("evidence", "must be an object");
    for (const auto& [key, e] : j["evidence"].items()) r.evidence[key] = evidence_from_json(e, "evidence." + key);
  }
  return r;
}

}  // namespace intake
