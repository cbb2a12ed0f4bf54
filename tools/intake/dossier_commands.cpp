#include "tools/intake/dossier_commands.h"

#include <iostream>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/lifecycle.h"
#include "pipeline/dossier/store.h"
#include "pipeline/text.h"
#include "stages/classify.h"
#include "tools/intake/receipt.h"

namespace intake {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// Values come from scans: shown, never obeyed (text::printable).
std::string str(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? text::printable(j[key].get<std::string>()) : std::string("-");
}
std::string str(const std::optional<std::string>& v) { return v ? text::printable(*v) : std::string("-"); }

}  // namespace

int cmd_status(const std::string& store_path, const std::string& code) {
  Store store(store_path);
  const auto st = store.status(code);
  if (!st) {
    std::cerr << "intake: no dossier with code '" << code << "' in " << store_path << "\n";
    return 1;
  }
  const auto& r = st->record;
  fmt::print("dossier        {}\n", st->code);
  fmt::print("state          {}   (next: ", st->state);
  const auto next = next_states(st->state);
  for (std::size_t i = 0; i < next.size(); ++i) fmt::print("{}{}", i ? ", " : "", next[i]);
  fmt::print("{})\n", next.empty() ? "none" : "");
  fmt::print("procedure      {}\n", str(r.procedure.name));
  fmt::print("department     {}\n", str(r.department));
  fmt::print("applicant      {}\n", str(r.applicant.full_name));
  fmt::print("received       {}\n", text::printable(r.received_at));
  std::string original = "-";
  if (!st->history.empty() && st->history.front().due_date) original = *st->history.front().due_date;
  const std::string due = str(r.due_date);
  fmt::print("due            {}{}\n", due, due != original && original != "-" ? " (moved from " + original + " by a supplement wait)" : "");
  std::string missing;
  for (const auto& reason : r.reasons)
    if (reason.code() == "missing_document")
      missing += (missing.empty() ? "" : ", ") + text::printable(reason.text.substr(17));
  if (!missing.empty()) fmt::print("missing        {} (set-status {} waiting_supplement to ask for them)\n", missing, st->code);
  for (const auto& d : store.dispatches_of(st->code)) {
    std::string reasons;
    for (const auto& reason : d["reasons"]) reasons += (reasons.empty() ? "" : ", ") + text::printable(reason.get<std::string>());
    fmt::print("dispatch       {} {} {}{}\n", str(d, "tracking_number"), str(d, "dispatched_at"), str(d, "status"),
               reasons.empty() ? "" : " (" + reasons + ")");
  }
  fmt::print("\n{:<27} {:<20} {:<20} {:<12} {:<11} {}\n", "at", "from", "to", "by", "due", "note");
  for (const auto& e : st->history)
    fmt::print("{:<27} {:<20} {:<20} {:<12} {:<11} {}\n", e.at, e.from.empty() ? "-" : e.from, e.to, e.actor,
               e.due_date ? *e.due_date : "-", text::printable(e.note));
  return 0;
}

int cmd_set_status(const Config& config, const std::string& store_path, const std::string& code,
                   const std::string& state, const std::string& actor, const std::string& note, const std::string& at) {
  Store store(store_path);
  const auto st = store.status(code);
  if (!st) {
    std::cerr << "intake: no dossier with code '" << code << "' in " << store_path << "\n";
    return 1;
  }
  std::string last_at, pause_started;
  for (const auto& e : st->history) {
    last_at = e.at;
    if (e.to == "waiting_supplement") pause_started = e.at;
  }
  const auto calendar = load_calendar(config.resolve(config.calendar));
  const auto planned = plan_change(st->record, st->state, last_at, pause_started, state, at.empty() ? now_iso_vn() : at,
                                   actor, note, calendar);
  if (const auto* refused = std::get_if<Refusal>(&planned)) {
    std::cerr << "intake: " << code << ": " << refused->reason << "\n";
    return 1;
  }
  const auto& change = std::get<StateChange>(planned);
  store.apply_change(code, change);
  fmt::print("{}: {} -> {} at {} by {}; due {}\n", code, change.from, change.to, change.at, change.actor,
             change.due_date ? *change.due_date : "-");
  return 0;
}

int cmd_find(const std::string& store_path, const std::string& key) {
  Store store(store_path);
  const auto found = store.search(key);
  if (found.empty()) {
    std::cerr << "intake: nothing found for '" << key
              << "' (a dossier code, a tracking number, an applicant's ID number or name)\n";
    return 1;
  }
  for (const auto& r : found) {
    const auto st = r.dossier_code ? store.status(*r.dossier_code) : std::nullopt;
    fmt::print("{:<26} {:<18} {:<15} {:<28} {:<24} {:<16} due {}\n", str(r.dossier_code), st ? st->state : "-",
               str(r.tracking_number), str(r.procedure.name), str(r.applicant.full_name),
               text::printable(r.received_at).substr(0, 16), str(r.due_date));
  }
  return 0;
}

int cmd_receipt(const Config& config, const std::string& store_path, const std::string& code, const std::string& out) {
  Store store(store_path);
  const auto st = store.status(code);
  if (!st) {
    std::cerr << "intake: no dossier with code '" << code << "' in " << store_path << "\n";
    return 1;
  }
  const Catalog catalog = Catalog::load(config.resolve(config.section<ClassifyConfig>("classify").catalog));
  const std::filesystem::path file = out.empty() ? std::filesystem::path(code + ".pdf") : std::filesystem::path(out);
  const auto blanks = write_receipt(st->record, {config.agency.name, &catalog}, file);
  fmt::print("{}: receipt written to {}\n", code, file.string());
  if (!blanks.empty())
    fmt::print("  left blank to fill in by hand (not read with confidence): {}\n", joined(blanks));
  return 0;
}

void write_receipts(const Config& config, const std::vector<DossierRecord>& records, const std::filesystem::path& dir) {
  const Catalog catalog = Catalog::load(config.resolve(config.section<ClassifyConfig>("classify").catalog));
  for (const auto& r : records) {
    if (!r.dossier_code) continue;
    const std::string& code = *r.dossier_code;
    const auto blanks = write_receipt(r, {config.agency.name, &catalog}, dir / (code + ".pdf"));
    if (!blanks.empty()) spdlog::warn("receipt {}: left blank to fill in by hand: {}", code, joined(blanks));
  }
}

}  // namespace intake
