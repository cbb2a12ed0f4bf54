#include "tools/intake/eval_score.h"

#include <algorithm>
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

json at_path(const json& j, const std::string& path) {
  const json* cur = &j;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const auto key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) return *cur;
    start = dot + 1;
  }
}

json normalized(const json& v) {
  if (v.is_string()) return text::squeeze(text::nfc(v.get<std::string>()));
  return v;
}

std::vector<int> page_numbers(const json& dossier) {
  std::vector<int> out;
  for (const auto& p : dossier.value("pages", json::array())) out.push_back(p.value("number", 0));
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string> kFields{"tracking_number", "tracking_valid", "applicant.id_number",
                                       "applicant.full_name", "applicant.date_of_birth", "sender.name",
                                       "sender.address", "sender.phone", "procedure.id", "department"};

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

void score_batch(Report& r, const std::string& batch, const std::vector<json>& truth, const std::vector<json>& predicted,
                 const std::vector<int>& separators, const std::map<int, std::vector<std::string>>& conditions) {
  ++r.batches;
  r.truth_dossiers += static_cast<int>(truth.size());
  r.predicted_dossiers += static_cast<int>(predicted.size());

  // Page number -> predicted page record, and -> its predicted dossier.
  std::map<int, const json*> predicted_page;
  std::map<int, const json*> predicted_dossier_of;
  static const json kNoPages = json::array();
  for (const auto& d : predicted)
    for (const auto& p : d.contains("pages") ? d["pages"] : kNoPages) {
      predicted_page[p.value("number", 0)] = &p;
      predicted_dossier_of[p.value("number", 0)] = &d;
    }

  for (const auto& t : truth) {
    const auto pages = page_numbers(t);
    const json* aligned = pages.empty() || !predicted_dossier_of.count(pages.front()) ? nullptr
                                                                                      : predicted_dossier_of[pages.front()];
    const bool exact = aligned && page_numbers(*aligned) == pages;
    if (exact) ++r.grouping_exact;
    bool wrong = !exact;
    for (const auto& f : kFields) {
      FieldScore& s = r.fields[f];
      ++s.dossiers;
      const json want = normalized(at_path(t, f));
      const json got = aligned ? normalized(at_path(*aligned, f)) : json();
      if (want == got) {
        ++s.correct;
      } else {
        wrong = true;
        if (got.is_null()) ++s.missed;
        else ++s.misread;
      }
    }
    if (t.value("review", json::object()).value("required", false)) wrong = true;
    const bool flagged = !aligned || at_path(*aligned, "review.required") == true;
    if (wrong && flagged) ++r.review_tp;
    if (wrong && !flagged) ++r.review_fn;
    if (!wrong && flagged) ++r.review_fp;
    if (!wrong && !flagged) ++r.review_tn;

    for (const auto& tp : t.contains("pages") ? t["pages"] : kNoPages) {
      ++r.pages;
      const int n = tp.value("number", 0);
      const std::string truth_type = tp.value("type", "");
      const json* gp = predicted_page.count(n) ? predicted_page[n] : nullptr;
      const std::string got_type = !gp ? "(missing)" : (*gp)["type"].is_string() ? (*gp)["type"].get<std::string>()
                                                                                  : "(unreadable)";
      ++r.confusion[truth_type][got_type];
      long length = 0, edits = 0;
      if (tp.contains("text") && truth_type != "blank") {
        edits = edit_distance(tp["text"].get<std::string>(), gp ? (*gp).value("text", "") : "", &length);
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
      if (gp && tp.contains("rotation") && tp["rotation"] != (*gp)["rotation"])
        what += std::string(what.empty() ? "" : "; ") + "rotation " + (*gp)["rotation"].dump() + " (truth " +
                tp["rotation"].dump() + ")";
      const double cer = length ? static_cast<double>(edits) / length : 0.0;
      if (!what.empty() || cer > 0.05)
        r.problems.push_back({batch, n, tp.value("source_file", ""), tp.value("source_page", 1), truth_type, got_type,
                              cer, what.empty() ? fmt::format("CER {:.1f}%", 100 * cer) : what});
    }
  }
  for (int n : separators) {
    ++r.pages;
    const json* gp = predicted_page.count(n) ? predicted_page[n] : nullptr;
    ++r.confusion["separator"][gp ? (*gp)["type"].is_string() ? (*gp)["type"].get<std::string>() : "(unreadable)"
                                  : "separator"];
  }
  std::sort(r.problems.begin(), r.problems.end(), [](const PageProblem& a, const PageProblem& b) {
    const bool at = a.truth_type != a.predicted_type, bt = b.truth_type != b.predicted_type;
    return at != bt ? at : a.cer > b.cer;
  });
  if (r.problems.size() > 50) r.problems.resize(50);
}

json to_json(const Report& r) {
  json fields = json::object();
  for (const auto& [name, s] : r.fields)
    fields[name] = {{"dossiers", s.dossiers}, {"correct", s.correct}, {"misread", s.misread}, {"missed", s.missed},
                    {"accuracy", s.accuracy()}};
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
          {"dossiers", {{"truth", r.truth_dossiers}, {"predicted", r.predicted_dossiers}, {"grouping_exact", r.grouping_exact},
                        {"grouping_rate", r.grouping_rate()}}},
          {"fields", fields},
          {"page_type_accuracy", r.page_type_accuracy()},
          {"confusion", r.confusion},
          {"cer_by_type", cer},
          {"cer_by_condition", cer_cond},
          {"review", {{"tp", r.review_tp}, {"fp", r.review_fp}, {"fn", r.review_fn}, {"tn", r.review_tn},
                      {"precision", r.review_precision()}, {"recall", r.review_recall()}}},
          {"due_date", "not scored: the corpus truth has no due dates (they follow from received_at, the procedure and the calendar; see tests/calendar_test.cpp)"},
          {"seconds", r.seconds},
          {"pages_per_minute", r.seconds > 0 ? r.pages_processed * 60.0 / r.seconds : 0.0},
          {"worst_pages", problems}};
}

std::string to_markdown(const Report& r, const std::string& title) {
  std::string md = fmt::format("# intake eval: {}\n\n{} batches, {} pages, {} dossiers in the truth ({} found)",
                               title, r.batches, r.pages, r.truth_dossiers, r.predicted_dossiers);
  if (r.seconds > 0) md += fmt::format(", {:.1f} pages/min", r.pages_processed * 60.0 / r.seconds);
  md += "\n\n| measure | value |\n|---|---|\n";
  md += fmt::format("| dossier grouping (exact page sets) | {:.1f}% ({}/{}) |\n", 100 * r.grouping_rate(),
                    r.grouping_exact, r.truth_dossiers);
  for (const auto& [name, s] : r.fields)
    md += fmt::format("| {} | {:.1f}% ({}/{}), {} misread, {} missed |\n", name, 100 * s.accuracy(), s.correct,
                      s.dossiers, s.misread, s.missed);
  md += fmt::format("| page type | {:.1f}% |\n", 100 * r.page_type_accuracy());
  for (const auto& [type, c] : r.cer_by_type)
    md += fmt::format("| OCR CER, {} | {:.2f}% of {} chars |\n", type, 100 * r.cer(type), c.second);
  md += fmt::format("| review catches wrong dossiers | precision {:.1f}%, recall {:.1f}% (tp {}, fp {}, fn {}, tn {}) |\n",
                    100 * r.review_precision(), 100 * r.review_recall(), r.review_tp, r.review_fp, r.review_fn,
                    r.review_tn);
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
  if (!r.cer_by_condition.empty()) {
    md += "\n## OCR CER by condition\n\n| condition | CER |\n|---|---|\n";
    for (const auto& [label, c] : r.cer_by_condition)
      md += fmt::format("| {} | {:.2f}% |\n", label, c.second ? 100.0 * c.first / c.second : 0.0);
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
