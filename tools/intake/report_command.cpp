#include "tools/intake/report_command.h"

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include <fmt/core.h>

#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/dispatch.h"
#include "pipeline/dossier/report.h"
#include "pipeline/dossier/store.h"
#include "pipeline/env.h"
#include "pipeline/hash.h"
#include "stages/classify.h"
#include "stages/s10.h"

namespace intake {
namespace {

using json = nlohmann::json;

// "2026-02-13T15:00[:SS][+07:00]" -> "2026-02-13T15:00:SS+07:00"; empty when not local time.
std::string local_time(const nlohmann::json& v) {
  if (!v.is_string()) return "";
  const auto t = LocalTime::parse(v.get<std::string>());
  return t ? t->iso() : "";
}

// An optional text field of an object: a string, or null when absent or null; else an error.
Result<std::optional<std::string>> text_field(const json& object, const char* name, const char* key) {
  if (object.is_null()) return std::optional<std::string>{};
  if (!object.is_object()) return Error{std::string(name) + " must be an object"};
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return Error{std::string(name) + "." + key + " must be a string or null"};
  return std::optional<std::string>(it->get<std::string>());
}

// The record, or the reason it cannot be one.
Result<ImportedDossier> normalise(const json& in, const Catalog& catalog, const WorkingCalendar& calendar,
                                  const std::string& batch_id) {
  if (!in.is_object()) return Error{"not a JSON object"};
  const std::string channel = in.value("channel", json()).is_string() ? in["channel"].get<std::string>() : "";
  if (channel != "electronic" && channel != "counter" && channel != "postal")
    return Error{"channel must be \"electronic\", \"counter\" or \"postal\""};
  const std::string received = local_time(in.value("received_at", json()));
  if (received.empty()) return Error{"received_at must be local time YYYY-MM-DDTHH:MM[:SS][+07:00] (Asia/Ho_Chi_Minh)"};
  const json proc_in = in.value("procedure", json());
  const std::string proc_id = proc_in.is_object() && proc_in.value("id", json()).is_string() ? proc_in["id"].get<std::string>()
                                                                                             : "";
  const Procedure* proc = catalog.find(proc_id);
  if (!proc) return Error{"procedure.id '" + proc_id + "' is not in the catalog"};
  ImportedDossier out;
  DossierRecord& record = out.record;
  record.batch_id = batch_id;
  record.channel = channel;
  record.received_at = received;
  if (in.contains("dossier_code") && !in["dossier_code"].is_null()) {
    if (!in["dossier_code"].is_string() || !is_dossier_code(in["dossier_code"].get<std::string>()))
      return Error{"dossier_code must look like AGENCY-YYMMDD-NNNN"};
    record.dossier_code = in["dossier_code"].get<std::string>();
  }
  if (in.contains("tracking_number") && in["tracking_number"].is_string()) {
    record.tracking_number = in["tracking_number"].get<std::string>();
    record.tracking_valid = s10::valid(*record.tracking_number);
  }
  // Every text field of the sender and the applicant: a string or null.
  const json sender = in.value("sender", json()), applicant = in.value("applicant", json());
  const std::pair<std::optional<std::string>*, const char*> sender_fields[] = {
      {&record.sender.name, "name"}, {&record.sender.address, "address"}, {&record.sender.phone, "phone"}};
  for (const auto& [target, key] : sender_fields) {
    auto v = text_field(sender, "sender", key);
    if (const auto* why = error_of(v)) return *why;
    *target = std::get<std::optional<std::string>>(std::move(v));
  }
  const std::pair<std::optional<std::string>*, const char*> applicant_fields[] = {
      {&record.applicant.full_name, "full_name"},
      {&record.applicant.id_number, "id_number"},
      {&record.applicant.date_of_birth, "date_of_birth"},
      {&record.applicant.sex, "sex"},
      {&record.applicant.address, "address"},
      {&record.applicant.source, "source"}};
  for (const auto& [target, key] : applicant_fields) {
    auto v = text_field(applicant, "applicant", key);
    if (const auto* why = error_of(v)) return *why;
    *target = std::get<std::optional<std::string>>(std::move(v));
  }
  record.procedure = {proc->id, proc->code, proc->name, std::nullopt};
  record.department = proc->department;
  if (in.contains("due_date") && !in["due_date"].is_null()) {
    if (!in["due_date"].is_string() || !parse_date(in["due_date"].get<std::string>()))
      return Error{"due_date must be YYYY-MM-DD"};
    record.due_date = in["due_date"].get<std::string>();
  } else {
    const auto due = calendar.due_date(received, proc->working_days);
    if (const auto* d = std::get_if<Date>(&due)) record.due_date = format_date(*d);
    else record.flag("calendar_missing:" + std::to_string(std::get<CalendarGap>(due).year));
  }
  if (in.contains("documents") && !in["documents"].is_null()) {
    if (!in["documents"].is_array()) return Error{"documents must be a list of {type, pages}"};
    for (const auto& d : in["documents"]) {
      if (!d.is_object() || !d.value("type", json()).is_string() || !parse_page_type(d["type"].get<std::string>()))
        return Error{"documents: each needs a \"type\" (a page type: application_form, id_card, ...)"};
      DocumentRef doc{d["type"].get<std::string>(), {}};
      for (const auto& n : d.value("pages", json::array())) {
        if (!n.is_number_integer() || n.get<long long>() < 1 || n.get<long long>() > 100000)
          return Error{"documents: \"pages\" must be page numbers"};
        doc.pages.push_back(n.get<int>());
      }
      record.documents.push_back(std::move(doc));
    }
  }
  if (in.contains("history")) {
    if (!in["history"].is_array()) return Error{"history must be a list of {to, at, actor, note}"};
    for (const auto& h : in["history"]) {
      if (!h.is_object() || !h.value("to", json()).is_string()) return Error{"history: each change needs \"to\""};
      const std::string at = local_time(h.value("at", json()));
      if (at.empty()) return Error{"history: \"at\" must be local time YYYY-MM-DDTHH:MM"};
      out.history.push_back({h["to"].get<std::string>(), at,
                             h.value("actor", json()).is_string() ? h["actor"].get<std::string>() : "import",
                             h.value("note", json()).is_string() ? h["note"].get<std::string>() : ""});
    }
  }
  return out;
}

std::string thousands(int n) {
  std::string s = std::to_string(n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string pct(double share) { return fmt::format("{:.1f}%", 100 * share); }

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string text_report(const Report& r) {
  std::ostringstream o;
  o << fmt::format("Report {} .. {} (open dossiers as of {})\n\n", r.period.from, r.period.to, r.period.as_of);
  o << fmt::format("Received             {}\n", thousands(r.received));
  auto table = [&](const char* title, const std::map<std::string, Count>& counts) {
    o << fmt::format("  by {}\n", title);
    for (const auto& [key, c] : counts) o << fmt::format("    {:<52} {:>7} {:>7}\n", key, thousands(c.n), pct(c.share));
  };
  table("channel", r.by_channel);
  table("department", r.by_department);
  table("procedure", r.by_procedure);
  o << fmt::format("\nResolved             {}: early {}, on time {}, late {}{}\n", thousands(r.resolved),
                   thousands(r.early), thousands(r.on_time), thousands(r.late),
                   r.without_due_date ? fmt::format(", without a due date {}", r.without_due_date) : "");
  o << fmt::format("Early or on time     {}\n", r.early + r.on_time + r.late ? pct(r.on_time_rate) : "-");
  o << fmt::format("Open                 {}: overdue {}, due within {} working days {}{}\n", thousands(r.open),
                   r.overdue.size(), r.period.risk_days, r.at_risk.size(),
                   r.open_without_due_date ? fmt::format(", without a due date {}", r.open_without_due_date) : "");
  o << fmt::format("Returns by post      {} dispatched, {} flagged\n", thousands(r.returns_dispatched),
                   thousands(r.dispatches_flagged));
  for (int y : r.calendar_gaps) o << fmt::format("warning: the calendar has no data for {}: at-risk list incomplete\n", y);
  auto list = [&](const char* title, const std::vector<OpenDossier>& items) {
    if (items.empty()) return;
    o << fmt::format("\n{}\n", title);
    for (const auto& d : items) o << fmt::format("  {:<27} due {}  {:<20} {}\n", d.code, d.due_date, d.state, d.procedure);
  };
  list("Overdue", r.overdue);
  list("At risk", r.at_risk);
  return o.str();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_report(const Report& r) {
  std::ostringstream o;
  o << "section,key,count,share\n";
  o << fmt::format("received,all,{},1\n", r.received);
  for (const auto& [section, counts] :
       {std::pair{"channel", &r.by_channel}, std::pair{"department", &r.by_department}, std::pair{"procedure", &r.by_procedure}})
    for (const auto& [key, c] : *counts) o << fmt::format("{},{},{},{:.4f}\n", section, csv_field(key), c.n, c.share);
  const int with_due = r.early + r.on_time + r.late;
  auto share = [&](int n) { return with_due ? static_cast<double>(n) / with_due : 0.0; };
  o << fmt::format("resolved,all,{},\nresolved,early,{},{:.4f}\nresolved,on_time,{},{:.4f}\nresolved,late,{},{:.4f}\n",
                   r.resolved, r.early, share(r.early), r.on_time, share(r.on_time), r.late, share(r.late));
  o << fmt::format("resolved,without_due_date,{},\nresolved,early_or_on_time,{},{:.4f}\n", r.without_due_date,
                   r.early + r.on_time, r.on_time_rate);
  o << fmt::format("open,all,{},\nopen,overdue,{},\nopen,at_risk,{},\n", r.open, r.overdue.size(), r.at_risk.size());
  o << fmt::format("returns,dispatched,{},\nreturns,flagged,{},\n", r.returns_dispatched, r.dispatches_flagged);
  for (const auto& d : r.overdue) o << fmt::format("overdue,{},,\n", csv_field(d.code));
  for (const auto& d : r.at_risk) o << fmt::format("at_risk,{},,\n", csv_field(d.code));
  return o.str();
}

// Horizontal bars, one per entry, widths by count.
std::string svg_bars(const std::vector<std::tuple<std::string, int, double, std::string>>& rows) {
  int max = 1;
  for (const auto& [label, n, share, colour] : rows) max = std::max(max, n);
  const int row_h = 26, label_w = 330, bar_w = 360;
  std::ostringstream o;
  o << fmt::format("<svg width=\"{}\" height=\"{}\" role=\"img\">", label_w + bar_w + 140, row_h * rows.size() + 6);
  int y = 4;
  for (const auto& [label, n, share, colour] : rows) {
    const int w = n ? std::max(2, n * bar_w / max) : 0;
    o << fmt::format("<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>", y + 16, html_escape(label));
    o << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\"/>", label_w, y + 2, w, colour);
    o << fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\">{} ({})</text>", label_w + w + 6, y + 16, thousands(n),
                     pct(share));
    y += row_h;
  }
  return o.str() + "</svg>";
}

std::string html_report(const Report& r, const std::string& agency) {
  std::ostringstream o;
  o << "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>intake report " << r.period.from << " – "
    << r.period.to << "</title><style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
       ".big{font-size:2em;font-weight:bold;margin-right:1.5em}</style></head><body>";
  o << "<h1>" << html_escape(agency) << ": dossiers " << r.period.from << " – " << r.period.to << "</h1>";
  const int with_due = r.early + r.on_time + r.late;
  o << "<p><span class=\"big\">" << thousands(r.received) << "</span>received &nbsp; <span class=\"big\">"
    << (with_due ? pct(r.on_time_rate) : "–") << "</span>resolved early or on time &nbsp; <span class=\"big\">"
    << r.overdue.size() << "</span>overdue</p>";
  auto chart = [&](const char* title, const std::map<std::string, Count>& counts) {
    std::vector<std::tuple<std::string, int, double, std::string>> rows;
    for (const auto& [key, c] : counts) rows.emplace_back(key, c.n, c.share, "#3b7dd8");
    o << "<h2>" << title << "</h2>" << svg_bars(rows);
  };
  chart("Received by channel", r.by_channel);
  chart("Received by department", r.by_department);
  chart("Received by procedure", r.by_procedure);
  auto share = [&](int n) { return with_due ? static_cast<double>(n) / with_due : 0.0; };
  o << "<h2>Resolved (" << thousands(r.resolved) << ")</h2>"
    << svg_bars({{"early", r.early, share(r.early), "#2e9e5b"},
                 {"on time", r.on_time, share(r.on_time), "#8cc152"},
                 {"late", r.late, share(r.late), "#d9534f"}});
  if (r.without_due_date) o << "<p>" << r.without_due_date << " resolved without a due date (not counted above).</p>";
  o << "<h2>Open (" << thousands(r.open) << ", as of " << r.period.as_of << ")</h2>";
  auto list = [&](const char* title, const std::vector<OpenDossier>& items) {
    o << "<h3>" << title << " (" << items.size() << ")</h3>";
    if (items.empty()) return;
    o << "<table><tr><th>dossier</th><th>due</th><th>state</th><th>procedure</th></tr>";
    for (const auto& d : items)
      o << "<tr><td>" << html_escape(d.code) << "</td><td>" << d.due_date << "</td><td>" << d.state << "</td><td>"
        << html_escape(d.procedure) << "</td></tr>";
    o << "</table>";
  };
  list("Overdue", r.overdue);
  list(fmt::format("Due within {} working days", r.period.risk_days).c_str(), r.at_risk);
  o << "<h2>Returns by post</h2><p>" << thousands(r.returns_dispatched) << " results dispatched, "
    << r.dispatches_flagged << " dispatches flagged.</p></body></html>\n";
  return o.str();
}

}  // namespace

int cmd_import(const Config& config, const std::string& store_path, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "intake: " << file << ": cannot open\n";
    return 1;
  }
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string batch_id = "i" + sha256_hex(content).substr(0, 16);
  const Catalog catalog = Catalog::load(config.resolve(config.section<ClassifyConfig>("classify").catalog));
  const WorkingCalendar calendar = load_calendar(config.resolve(config.calendar));
  std::vector<ImportedDossier> records;
  std::vector<std::string> errors;
  std::istringstream lines(content);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json parsed;
    try {
      parsed = json::parse(line);
    } catch (const json::exception& e) {
      errors.push_back(fmt::format("{}:{}: not JSON: {}", file, n, e.what()));
      continue;
    }
    auto normalised = normalise(parsed, catalog, calendar, batch_id);
    if (const auto* why = error_of(normalised)) errors.push_back(fmt::format("{}:{}: {}", file, n, why->reason));
    else records.push_back(std::get<ImportedDossier>(std::move(normalised)));
  }
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "intake: " << e << '\n';
    std::cerr << "intake: nothing imported (" << errors.size() << " bad line(s)); fix them and import the file again\n";
    return 1;
  }
  Store store(store_path);
  std::optional<std::vector<DossierRecord>> stored;
  try {
    stored = store.import_dossiers(batch_id, file, records, config.agency.code, calendar);
  } catch (const StoreError& e) {
    std::cerr << "intake: " << file << ": " << e.what() << "; nothing imported\n";
    return 1;
  }
  if (!stored) {
    fmt::print("{}: imported before as {}; nothing changed\n", file, batch_id);
    return 0;
  }
  std::map<std::string, int> by_channel;
  for (const auto& r : *stored) ++by_channel[r.channel];
  std::string channels;
  for (const auto& [c, n] : by_channel) channels += fmt::format("{}{} {}", channels.empty() ? "" : ", ", c, n);
  fmt::print("{}: imported {} dossier(s) as {} ({})\n", file, stored->size(), batch_id, channels);
  return 0;
}

int cmd_report(const Config& config, const std::string& store_path, const std::string& from, const std::string& to,
               const std::string& as_of, const std::string& format, const std::string& out) {
  if (!parse_date(from) || !parse_date(to) || (!as_of.empty() && !parse_date(as_of)) || from > to) {
    std::cerr << "intake: --from and --to (and --as-of) are dates YYYY-MM-DD, from not after to\n";
    return 1;
  }
  Store store(store_path);
  const Report report = make_report(store.facts(), store.dispatch_facts(), {from, to, as_of.empty() ? to : as_of, 2},
                                    load_calendar(config.resolve(config.calendar)));
  const std::string body = format == "csv"    ? csv_report(report)
                           : format == "html" ? html_report(report, config.agency.name)
                                              : text_report(report);
  if (out.empty()) {
    std::cout << body;
  } else {
    write_export(out, body);
    fmt::print("report written to {}\n", out);
  }
  return 0;
}

}  // namespace intake
