#include "tools/intake/eval_score.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include <fmt/core.h>
#include <unicode/unistr.h>

#include "pipeline/text.h"

namespace intake::eval {
namespace {

using json = nlohmann::json;

std::vector<UChar32> code_points(const std::string& s) {
  const auto u = icu::UnicodeString::fromUTF8(text::squeeze(text::nfc(s)));
  std::vector<UChar32> out;
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    out.push_back(c);
    i += U16_LENGTH(c);
  }
  return out;
}

json text_or_null(const std::optional<std::string>& v) { return v ? json(text::squeeze(text::nfc(*v))) : json(); }

std::vector<int> page_numbers(const DossierRecord& dossier) {
  std::vector<int> out;
  for (const auto& p : dossier.pages) out.push_back(p.number);
  std::sort(out.begin(), out.end());
  return out;
}

std::string type_name(const PageRecord& p) { return p.type ? std::string(name_of(*p.type)) : "(unreadable)"; }

// The fields scored, each read from a record (strings NFC and white-space squeezed).
struct ScoredField {
  const char* name;
  json (*get)(const DossierRecord&);
};
const ScoredField kFields[] = {
    {"tracking_number", [](const DossierRecord& d) { return text_or_null(d.tracking_number); }},
    {"tracking_valid", [](const DossierRecord& d) { return json(d.tracking_valid); }},
    {"applicant.id_number", [](const DossierRecord& d) { return text_or_null(d.applicant.id_number); }},
    {"applicant.full_name", [](const DossierRecord& d) { return text_or_null(d.applicant.full_name); }},
    {"applicant.date_of_birth", [](const DossierRecord& d) { return text_or_null(d.applicant.date_of_birth); }},
    {"sender.name", [](const DossierRecord& d) { return text_or_null(d.sender.name); }},
    {"sender.address", [](const DossierRecord& d) { return text_or_null(d.sender.address); }},
    {"sender.phone", [](const DossierRecord& d) { return text_or_null(d.sender.phone); }},
    {"procedure.id", [](const DossierRecord& d) { return text_or_null(d.procedure.id); }},
    {"department", [](const DossierRecord& d) { return text_or_null(d.department); }},
};

// What a run's explanations (intake.explanation/1) say about each page and each dossier.
struct Explained {
  std::map<int, json> evidence;  // page -> [{signal, weight}]
  std::map<int, int> appended;   // page -> predicted dossier index it was appended to as a blank back
  std::vector<std::pair<std::string, int>> boundary;  // per predicted dossier: {reason, page}
};

Explained read_explanations(const std::vector<json>& explanations) {
  Explained e;
  for (std::size_t k = 0; k < explanations.size(); ++k) {
    const json& x = explanations[k];
    e.boundary.emplace_back("", 0);
    if (!x.is_object()) continue;
    if (const auto b = x.find("boundary"); b != x.end() && b->is_object())
      e.boundary.back() = {b->value("reason", ""), b->value("page", 0)};
    for (const auto& n : x.value("appended_blank_pages", json::array()))
      if (n.is_number_integer()) e.appended[n.get<int>()] = static_cast<int>(k);
    for (const auto& p : x.value("pages", json::array()))
      if (p.is_object() && p.value("number", json()).is_number_integer())
        e.evidence[p["number"].get<int>()] = p.value("evidence", json::array());
  }
  return e;
}

// The signal that decided a page's type: the heaviest `TYPE.*` signal of the type it was given
// (a decision without a score has weight 0 and counts when it is the only one).
std::string deciding_signal(const Explained& e, int page, const std::string& type) {
  const auto it = e.evidence.find(page);
  if (it == e.evidence.end()) return "(no evidence kept)";
  std::string best;
  double weight = -1;
  for (const auto& s : it->second) {
    if (!s.is_object() || !s.value("signal", json()).is_string()) continue;
    const std::string signal = s["signal"].get<std::string>();
    const double w = s.value("weight", json(0)).is_number() ? s["weight"].get<double>() : 0.0;
    if (signal.rfind(type + ".", 0) == 0 && w > weight) best = signal, weight = w;
  }
  return best.empty() ? "(no " + type + " signal)" : best;
}

// Why a truth dossier was not grouped exactly, from the run's explanations: the first thing that
// went wrong, as one line to count ("merged into the dossier before: its envelope read as
// supporting_document (supporting_document.no_type_reached_threshold)").
std::string grouping_cause(const Explained& e, const std::map<int, std::size_t>& truth_dossier_of,
                           const std::map<int, int>& predicted_dossier_of,
                           const std::map<int, const PageRecord*>& predicted_page, const DossierRecord& t,
                           std::size_t t_index, int aligned) {
  const auto read_as = [&](int page) {
    const auto it = predicted_page.find(page);
    if (it == predicted_page.end()) return std::string("(missing)");
    const std::string type = type_name(*it->second);
    return type + (it->second->type ? " (" + deciding_signal(e, page, type) + ")" : "");
  };
  const int first = page_numbers(t).front();
  const std::string first_type = type_name(*std::min_element(
      t.pages.begin(), t.pages.end(), [](const PageRecord& a, const PageRecord& b) { return a.number < b.number; }));
  if (aligned < 0) return "first page in no dossier (quarantined)";
  const auto& starts = e.boundary;
  const int aligned_start =
      aligned < static_cast<int>(starts.size()) ? starts[static_cast<std::size_t>(aligned)].second : 0;
  if (e.appended.count(first)) return "merged into the dossier before: its pages taken as blank backs";
  if (aligned_start != 0 && aligned_start < first)
    return "merged into the dossier before: its " + first_type + " read as " + read_as(first);
  for (const auto& p : t.pages) {
    const auto it = predicted_dossier_of.find(p.number);
    if (it == predicted_dossier_of.end()) return "split: a page in no dossier (quarantined)";
    if (it->second == aligned) continue;
    const auto& b = it->second < static_cast<int>(starts.size()) ? starts[static_cast<std::size_t>(it->second)]
                                                                 : std::pair<std::string, int>{};
    return "split: a dossier began (" + (b.first.empty() ? "?" : b.first) + ") at a page read as " + read_as(b.second);
  }
  // Every page of t is in the aligned dossier: it also holds pages of other dossiers.
  for (const auto& [page, k] : predicted_dossier_of) {
    if (k != aligned) continue;
    const auto owner = truth_dossier_of.find(page);
    if (owner != truth_dossier_of.end() && owner->second == t_index) continue;
    if (e.appended.count(page)) return "took the next dossier's pages as blank backs";
    return "took pages of another dossier: page " + std::to_string(page) + " read as " + read_as(page);
  }
  return "other";
}

}  // namespace

long edit_distance(const std::string& truth, const std::string& got, long* truth_length) {
  const auto a = code_points(truth), b = code_points(got);
  if (truth_length) *truth_length = static_cast<long>(a.size());
  std::vector<long> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<long>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<long>(i);
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

double Report::page_type_accuracy() const {
  long right = 0, all = 0;
  for (const auto& [t, row] : confusion)
    for (const auto& [p, n] : row) {
      all += n;
      if (t == p) right += n;
    }
  return all ? static_cast<double>(right) / all : 0.0;
}

double Report::cer(const std::string& type) const {
  auto it = cer_by_type.find(type);
  return it == cer_by_type.end() || it->second.second == 0 ? 0.0
                                                           : static_cast<double>(it->second.first) / it->second.second;
}

double Report::review_precision() const {
  return review_tp + review_fp ? static_cast<double>(review_tp) / (review_tp + review_fp) : 0.0;
}
double Report::review_recall() const {
  return review_tp + review_fn ? static_cast<double>(review_tp) / (review_tp + review_fn) : 0.0;
}

void score_batch(Report& r, const std::string& batch, const std::vector<DossierRecord>& truth,
                 const std::vector<DossierRecord>& predicted, const std::vector<json>& explanations,
                 const std::vector<int>& separators, const std::map<int, std::vector<std::string>>& conditions) {
  ++r.batches;
  r.truth_dossiers += static_cast<int>(truth.size());
  r.predicted_dossiers += static_cast<int>(predicted.size());
  const Explained explained = read_explanations(explanations);

  // Page number -> predicted page record, and -> its predicted dossier (index).
  std::map<int, const PageRecord*> predicted_page;
  std::map<int, int> predicted_dossier_of;
  for (std::size_t k = 0; k < predicted.size(); ++k)
    for (const auto& p : predicted[k].pages) {
      predicted_page[p.number] = &p;
      predicted_dossier_of[p.number] = static_cast<int>(k);
    }
  // Page number -> the truth dossier it belongs to.
  std::map<int, std::size_t> truth_dossier_of;
  for (std::size_t k = 0; k < truth.size(); ++k)
    for (const auto& p : truth[k].pages) truth_dossier_of[p.number] = k;

  for (std::size_t k = 0; k < truth.size(); ++k) {
    const DossierRecord& t = truth[k];
    const auto pages = page_numbers(t);
    const int aligned_index =
        pages.empty() || !predicted_dossier_of.count(pages.front()) ? -1 : predicted_dossier_of[pages.front()];
    const DossierRecord* aligned = aligned_index < 0 ? nullptr : &predicted[static_cast<std::size_t>(aligned_index)];
    const bool exact = aligned && page_numbers(*aligned) == pages;
    if (exact) ++r.grouping_exact;
    else if (!pages.empty())
      ++r.grouping_causes[grouping_cause(explained, truth_dossier_of, predicted_dossier_of, predicted_page, t, k,
                                         aligned_index)];
    bool wrong = !exact;
    for (const auto& f : kFields) {
      FieldScore& s = r.fields[f.name];
      ++s.dossiers;
      const json want = f.get(t);
      const json got = aligned ? f.get(*aligned) : json();
      if (want == got) {
        ++s.correct;
      } else {
        wrong = true;
        if (got.is_null()) ++s.missed;
        else ++s.misread;
      }
    }
    if (t.review_required()) wrong = true;
    const bool flagged = !aligned || aligned->review_required();
    if (aligned) {
      const bool otherwise = std::any_of(aligned->reasons.begin(), aligned->reasons.end(),
                                         [](const ReviewReason& x) { return x.code() != "field_unsure"; });
      for (const auto& f : kFields) {
        const auto e = aligned->evidence.find(f.name);
        if (e == aligned->evidence.end() || f.get(*aligned).is_null()) continue;
        r.confidence[f.name].push_back({e->second.confidence, f.get(*aligned) == f.get(t), otherwise});
      }
    }
    if (!flagged) ++r.straight_through;
    for (const auto& f : kFields)
      if (!flagged && f.get(t) != (aligned ? f.get(*aligned) : json())) ++r.fields[f.name].silent;
    DossierOutcome outcome{batch, pages.empty() ? 0 : pages.front(), exact, flagged, wrong, {}, {}};
    for (const auto& f : kFields) {
      outcome.truth[f.name] = f.get(t);
      outcome.got[f.name] = aligned ? f.get(*aligned) : json();
    }
    r.outcomes.push_back(std::move(outcome));
    if (wrong && flagged) ++r.review_tp;
    if (wrong && !flagged) ++r.review_fn;
    if (!wrong && flagged) ++r.review_fp;
    if (!wrong && !flagged) ++r.review_tn;

    for (const auto& tp : t.pages) {
      ++r.pages;
      const int n = tp.number;
      const std::string truth_type = type_name(tp);
      const PageRecord* gp = predicted_page.count(n) ? predicted_page[n] : nullptr;
      const std::string got_type = gp ? type_name(*gp) : "(missing)";
      ++r.confusion[truth_type][got_type];
      if (gp && gp->type && truth_type != got_type)
        ++r.confusion_signals[truth_type + " -> " + got_type][deciding_signal(explained, n, got_type)];
      long length = 0, edits = 0;
      if (tp.type != PageType::blank) {
        edits = edit_distance(tp.text, gp ? gp->text : "", &length);
        auto& c = r.cer_by_type[truth_type];
        c.first += edits, c.second += length;
        if (auto it = conditions.find(n); it != conditions.end())
          for (const auto& label : it->second) {
            auto& cc = r.cer_by_condition[label];
            cc.first += edits, cc.second += length;
          }
      }
      std::string what;
      if (truth_type != got_type) what = "type " + got_type + " (truth " + truth_type + ")";
      if (gp && tp.rotation != gp->rotation)
        what += std::string(what.empty() ? "" : "; ") + "rotation " + std::to_string(gp->rotation) + " (truth " +
                std::to_string(tp.rotation) + ")";
      const double cer = length ? static_cast<double>(edits) / length : 0.0;
      if (!what.empty() || cer > 0.05)
        r.problems.push_back({batch, n, tp.source_file, tp.source_page, truth_type, got_type, cer,
                              what.empty() ? fmt::format("CER {:.1f}%", 100 * cer) : what});
    }
  }
  for (int n : separators) {
    ++r.pages;
    const PageRecord* gp = predicted_page.count(n) ? predicted_page[n] : nullptr;
    const std::string got_type = gp ? type_name(*gp) : "separator";
    ++r.confusion["separator"][got_type];
    if (gp && gp->type) ++r.confusion_signals["separator -> " + got_type][deciding_signal(explained, n, got_type)];
  }
  std::sort(r.problems.begin(), r.problems.end(), [](const PageProblem& a, const PageProblem& b) {
    const bool at = a.truth_type != a.predicted_type, bt = b.truth_type != b.predicted_type;
    return at != bt ? at : a.cer > b.cer;
  });
  if (r.problems.size() > 50) r.problems.resize(50);
}

std::map<std::string, ThresholdAdvice> Report::threshold_advice() const {
  std::map<std::string, ThresholdAdvice> out;
  for (const auto& [field, samples] : confidence) {
    ThresholdAdvice& a = out[field];
    for (const auto& x : samples) {
      ++a.read;
      if (x.right) continue;
      ++a.wrong;
      a.highest_wrong = std::max(a.highest_wrong.value_or(0), x.confidence);
      if (!x.flagged_otherwise)
        a.highest_wrong_unflagged = std::max(a.highest_wrong_unflagged.value_or(0), x.confidence);
    }
    if (a.highest_wrong_unflagged)
      a.threshold = std::min(1.0, std::round((*a.highest_wrong_unflagged + 0.005) * 1000) / 1000);
    for (const auto& x : samples)
      if (x.right && x.confidence < a.threshold) ++a.right_below;
  }
  return out;
}

json to_json(const Report& r) {
  json fields = json::object();
  for (const auto& [name, s] : r.fields)
    fields[name] = {{"dossiers", s.dossiers}, {"correct", s.correct}, {"misread", s.misread},
                    {"missed", s.missed},     {"silent", s.silent},   {"accuracy", s.accuracy()}};
  json silent = json::array();
  for (const auto& e : silent_errors(r))
    silent.push_back(
        {{"batch", e.batch}, {"first_page", e.first_page}, {"field", e.field}, {"truth", e.truth}, {"got", e.got}});
  json advice = json::object();
  for (const auto& [field, a] : r.threshold_advice())
    advice[field] = {{"read", a.read},
                     {"wrong", a.wrong},
                     {"highest_wrong", a.highest_wrong ? json(*a.highest_wrong) : json()},
                     {"highest_wrong_unflagged", a.highest_wrong_unflagged ? json(*a.highest_wrong_unflagged) : json()},
                     {"threshold_for_no_silent_error", a.threshold},
                     {"right_values_below_it", a.right_below}};
  json cer = json::object();
  for (const auto& [type, c] : r.cer_by_type) cer[type] = {{"edits", c.first}, {"chars", c.second}, {"cer", r.cer(type)}};
  json cer_cond = json::object();
  for (const auto& [label, c] : r.cer_by_condition)
    cer_cond[label] = {{"edits", c.first}, {"chars", c.second},
                       {"cer", c.second ? static_cast<double>(c.first) / c.second : 0.0}};
  json problems = json::array();
  for (const auto& p : r.problems)
    problems.push_back({{"batch", p.batch}, {"number", p.number}, {"source_file", p.source_file},
                        {"source_page", p.source_page}, {"truth_type", p.truth_type},
                        {"predicted_type", p.predicted_type}, {"cer", p.cer}, {"what", p.what}});
  return {{"batches", r.batches},
          {"pages", r.pages},
          {"dossiers",
           {{"truth", r.truth_dossiers},
            {"predicted", r.predicted_dossiers},
            {"grouping_exact", r.grouping_exact},
            {"grouping_rate", r.grouping_rate()}}},
          {"fields", fields},
          {"page_type_accuracy", r.page_type_accuracy()},
          {"confusion", r.confusion},
          {"confusion_signals", r.confusion_signals},
          {"grouping_causes", r.grouping_causes},
          {"cer_by_type", cer},
          {"cer_by_condition", cer_cond},
          {"review",
           {{"tp", r.review_tp},
            {"fp", r.review_fp},
            {"fn", r.review_fn},
            {"tn", r.review_tn},
            {"precision", r.review_precision()},
            {"recall", r.review_recall()}}},
          {"straight_through", {{"dossiers", r.straight_through}, {"rate", r.straight_through_rate()}}},
          {"silent_errors", {{"dossiers", r.silent_dossiers()}, {"fields", silent}}},
          {"confidence", advice},
          {"due_date",
           "not scored: the corpus truth has no due dates (they follow from received_at, the procedure and the "
           "calendar; see tests/calendar_test.cpp)"},
          {"seconds", r.seconds},
          {"pages_per_minute", r.seconds > 0 ? r.pages_processed * 60.0 / r.seconds : 0.0},
          {"worst_pages", problems}};
}

std::vector<SilentError> silent_errors(const Report& r) {
  std::vector<SilentError> out;
  for (const auto& o : r.outcomes) {
    if (o.flagged) continue;
    for (const auto& [field, got] : o.got)
      if (const auto t = o.truth.find(field); t != o.truth.end() && t->second != got)
        out.push_back({o.batch, o.first_page, field, t->second, got});
  }
  return out;
}

json compare(const Report& a, const Report& b) {
  // A measure's value; null where a run gives it no meaning (precision with nothing flagged).
  struct Measure {
    std::string key, label;
    std::optional<double> current, candidate;
    bool higher_better = true;
  };
  std::vector<Measure> measures{{"grouping", "Gom trang thành hồ sơ đúng", a.grouping_rate(), b.grouping_rate()}};
  const std::pair<const char*, const char*> fields[] = {{"tracking_number", "Số hiệu bưu gửi"},
                                                        {"applicant.id_number", "Số định danh người nộp"},
                                                        {"applicant.full_name", "Họ tên người nộp"},
                                                        {"applicant.date_of_birth", "Ngày sinh"},
                                                        {"sender.name", "Tên người gửi"},
                                                        {"sender.address", "Địa chỉ người gửi"},
                                                        {"procedure.id", "Thủ tục"}};
  const auto accuracy = [](const Report& r, const std::string& key) -> std::optional<double> {
    const auto it = r.fields.find(key);
    if (it == r.fields.end() || it->second.dossiers == 0) return std::nullopt;
    return it->second.accuracy();
  };
  for (const auto& [key, label] : fields) measures.push_back({key, label, accuracy(a, key), accuracy(b, key)});
  measures.push_back({"page_type", "Loại trang", a.page_type_accuracy(), b.page_type_accuracy()});
  std::set<std::string> types;
  for (const auto& [type, c] : a.cer_by_type) types.insert(type);
  for (const auto& [type, c] : b.cer_by_type) types.insert(type);
  for (const auto& type : types)
    measures.push_back({"cer." + type, "Tỉ lệ lỗi ký tự OCR: " + type, a.cer(type), b.cer(type), false});
  const auto precision = [](const Report& r) -> std::optional<double> {
    if (r.review_tp + r.review_fp == 0) return std::nullopt;
    return r.review_precision();
  };
  const auto recall = [](const Report& r) -> std::optional<double> {
    if (r.review_tp + r.review_fn == 0) return std::nullopt;
    return r.review_recall();
  };
  measures.push_back({"review_precision", "Cờ xem lại đúng chỗ (precision)", precision(a), precision(b)});
  measures.push_back({"review_recall", "Hồ sơ sai được gắn cờ (recall)", recall(a), recall(b)});
  const auto ppm = [](const Report& r) -> std::optional<double> {
    if (r.seconds <= 0) return std::nullopt;
    return r.pages_processed * 60.0 / r.seconds;
  };
  measures.push_back({"pages_per_minute", "Trang mỗi phút", ppm(a), ppm(b)});

  json out = {{"measures", json::array()}, {"better", 0}, {"worse", 0}, {"changed", json::array()}};
  for (const auto& m : measures) {
    std::string better;
    if (m.current && m.candidate) {
      // Speed differs from run to run on a shared machine: within 10% it is no change.
      const double tolerance = m.key == "pages_per_minute" ? 0.10 * std::max(*m.current, *m.candidate) : 1e-9;
      if (std::abs(*m.candidate - *m.current) > tolerance)
        better = (*m.candidate > *m.current) == m.higher_better ? "candidate" : "current";
    } else if (m.current.has_value() != m.candidate.has_value() && m.key == "review_recall") {
      // Wrong dossiers in one run only: the run without them is the better.
      better = m.candidate ? "current" : "candidate";
    }
    if (better == "candidate") out["better"] = out["better"].get<int>() + 1;
    if (better == "current") out["worse"] = out["worse"].get<int>() + 1;
    out["measures"].push_back({{"key", m.key},
                               {"label", m.label},
                               {"current", m.current ? json(*m.current) : json()},
                               {"candidate", m.candidate ? json(*m.candidate) : json()},
                               {"higher_is_better", m.higher_better},
                               {"better", better}});
  }
  std::map<std::pair<std::string, int>, const DossierOutcome*> before;
  for (const auto& o : a.outcomes) before[{o.batch, o.first_page}] = &o;
  for (const auto& o : b.outcomes) {
    const auto it = before.find({o.batch, o.first_page});
    if (it == before.end()) continue;
    const DossierOutcome& c = *it->second;
    json row = {{"batch", o.batch}, {"first_page", o.first_page}, {"fields", json::array()}};
    std::vector<std::string> what;
    if (c.exact != o.exact) what.push_back(o.exact ? "gom trang đúng" : "gom trang sai");
    if (c.flagged != o.flagged) what.push_back(o.flagged ? "bị gắn cờ xem lại" : "hết cờ xem lại");
    for (const auto& [field, value] : o.got) {
      const auto was = c.got.find(field);
      if (was != c.got.end() && was->second == value) continue;
      row["fields"].push_back({{"field", field},
                               {"truth", o.truth.count(field) ? o.truth.at(field) : json()},
                               {"current", was == c.got.end() ? json() : was->second},
                               {"candidate", value}});
    }
    if (what.empty() && row["fields"].empty()) continue;
    std::string joined;
    for (const auto& w : what) joined += (joined.empty() ? "" : "; ") + w;
    row["what"] = joined;
    out["changed"].push_back(std::move(row));
  }
  return out;
}

std::string to_markdown(const Report& r, const std::string& title) {
  std::string md = fmt::format("# intake eval: {}\n\n{} batches, {} pages, {} dossiers in the truth ({} found)",
                               title, r.batches, r.pages, r.truth_dossiers, r.predicted_dossiers);
  if (r.seconds > 0) md += fmt::format(", {:.1f} pages/min", r.pages_processed * 60.0 / r.seconds);
  md += "\n\n| measure | value |\n|---|---|\n";
  md += fmt::format("| dossier grouping (exact page sets) | {:.1f}% ({}/{}) |\n", 100 * r.grouping_rate(),
                    r.grouping_exact, r.truth_dossiers);
  for (const auto& [name, s] : r.fields)
    md += fmt::format("| {} | {:.1f}% ({}/{}), {} misread, {} missed, **{} silent** |\n", name, 100 * s.accuracy(),
                      s.correct, s.dossiers, s.misread, s.missed, s.silent);
  md += fmt::format("| page type | {:.1f}% |\n", 100 * r.page_type_accuracy());
  for (const auto& [type, c] : r.cer_by_type)
    md += fmt::format("| OCR CER, {} | {:.2f}% of {} chars |\n", type, 100 * r.cer(type), c.second);
  md += fmt::format("| review catches wrong dossiers | precision {:.1f}%, recall {:.1f}% (tp {}, fp {}, fn {}, tn {}) |\n",
                    100 * r.review_precision(), 100 * r.review_recall(), r.review_tp, r.review_fp, r.review_fn,
                    r.review_tn);
  md += fmt::format("| straight through (no review needed) | {:.1f}% ({}/{}) |\n", 100 * r.straight_through_rate(),
                    r.straight_through, r.truth_dossiers);
  md += fmt::format("| silent errors (a wrong value, not flagged) | **{} dossiers** |\n", r.silent_dossiers());
  md += "| due date | not scored: the corpus truth has no due dates (rule tested in calendar_test, e2e) |\n";

  std::set<std::string> predicted_types;
  for (const auto& [t, row] : r.confusion)
    for (const auto& [p, n] : row) predicted_types.insert(p);
  md += "\n## Page types (rows: truth, columns: predicted)\n\n| truth |";
  for (const auto& p : predicted_types) md += " " + p + " |";
  md += "\n|---|";
  for (std::size_t i = 0; i < predicted_types.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& [t, row] : r.confusion) {
    md += "| " + t + " |";
    for (const auto& p : predicted_types) md += " " + (row.count(p) ? std::to_string(row.at(p)) : "") + " |";
    md += "\n";
  }
  if (!r.confusion_signals.empty()) {
    md +=
        "\n## Confusions by the signal that decided them\n\n| truth -> predicted | deciding signal | pages "
        "|\n|---|---|---|\n";
    for (const auto& [pair, signals] : r.confusion_signals)
      for (const auto& [signal, n] : signals) md += fmt::format("| {} | {} | {} |\n", pair, signal, n);
  }
  if (!r.grouping_causes.empty()) {
    md += "\n## Dossiers not grouped exactly, by cause\n\n| cause | dossiers |\n|---|---|\n";
    for (const auto& [cause, n] : r.grouping_causes) md += fmt::format("| {} | {} |\n", cause, n);
  }
  if (!r.cer_by_condition.empty()) {
    md += "\n## OCR CER by condition\n\n| condition | CER |\n|---|---|\n";
    for (const auto& [label, c] : r.cer_by_condition)
      md += fmt::format("| {} | {:.2f}% |\n", label, c.second ? 100.0 * c.first / c.second : 0.0);
  }
  if (const auto advice = r.threshold_advice(); !advice.empty()) {
    md +=
        "\n## Field confidence (assemble.field_confidence)\n\nThe lowest threshold that leaves no wrong value "
        "unflagged on this corpus, and the right values it would send to review.\n\n| field | read | wrong | most "
        "confident wrong | ... nothing else flags | threshold | right values below it "
        "|\n|---|---|---|---|---|---|---|\n";
    auto num = [](const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string("-"); };
    for (const auto& [field, a] : advice)
      md += fmt::format("| {} | {} | {} | {} | {} | {:.3f} | {} |\n", field, a.read, a.wrong, num(a.highest_wrong),
                        num(a.highest_wrong_unflagged), a.threshold, a.right_below);
  }
  const auto silent = silent_errors(r);
  if (!silent.empty()) {
    md +=
        "\n## Silent errors (wrong, not flagged)\n\n| batch | first page | field | truth | read "
        "|\n|---|---|---|---|---|\n";
    for (const auto& e : silent)
      md += fmt::format("| {} | {} | {} | {} | {} |\n", e.batch, e.first_page, e.field, e.truth.dump(), e.got.dump());
  }
  if (!r.problems.empty()) {
    md += "\n## Worst pages\n\n| batch | page | file | what |\n|---|---|---|---|\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(r.problems.size(), 15); ++i) {
      const auto& p = r.problems[i];
      md += fmt::format("| {} | {} | {} p{} | {} |\n", p.batch, p.number, p.source_file, p.source_page, p.what);
    }
  }
  return md;
}

}  // namespace intake::eval
