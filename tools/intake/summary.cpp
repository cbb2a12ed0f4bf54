#include "tools/intake/summary.h"

#include <algorithm>
#include <string>

#include <fmt/core.h>

#include "pipeline/text.h"

namespace intake {
namespace {

// Values come from scans: shown, never obeyed (text::printable).
std::string field(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? text::printable(j[key].get<std::string>()) : std::string("-");
}
std::string field(const std::optional<std::string>& v) { return v ? text::printable(*v) : std::string("-"); }

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * (v.size() - 1) + 0.5)];
}

}  // namespace

void print_summary(std::FILE* out, const BatchOutcome& o) {
  const RunResult& r = o.run;
  int tracking = 0, tracking_valid = 0, review = 0, envelopes = 0;
  fmt::print(out, "\n{:<3} {:<9} {:<15} {:<24} {:<32} {}\n", "#", "pages", "tracking", "applicant", "procedure", "review");
  int n = 0;
  for (const auto& d : o.dossiers) {
    ++n;
    const std::string range =
        d.pages.empty() ? "-" : fmt::format("{}-{}", d.pages.front().number, d.pages.back().number);
    for (const auto& p : d.pages)
      if (p.type == PageType::envelope) ++envelopes;
    if (d.tracking_number) {
      ++tracking;
      if (d.tracking_valid) ++tracking_valid;
    }
    if (d.review_required()) ++review;
    std::string reasons;
    for (const auto& reason : d.reasons) reasons += (reasons.empty() ? "" : ", ") + text::printable(reason.text);
    fmt::print(out, "{:<3} {:<9} {:<15} {:<24} {:<32} {}\n", n, range, field(d.tracking_number),
               field(d.applicant.full_name), field(d.procedure.name), d.review_required() ? reasons : "no");
  }
  const int processed_now = r.pages_total - r.pages_resumed;
  fmt::print(out, "\nbatch          {}{}\n", r.batch_id, r.already_committed ? " (already committed: nothing redone)" : "");
  fmt::print(out, "store          {}\n", o.store_path);
  fmt::print(out, "received at    {}\n", r.received_at);
  fmt::print(out, "dossiers       {}\n", o.dossiers.size());
  fmt::print(out, "pages          {} ({} processed now, {} resumed from the ledger)\n", r.pages_total, processed_now,
             r.pages_resumed);
  fmt::print(out, "tracking read  {} of {} envelopes ({} with a valid check digit)\n", tracking, envelopes, tracking_valid);
  fmt::print(out, "need review    {}\n", review);
  fmt::print(out, "quarantined    {}\n", r.quarantine.size());
  for (const auto& q : r.quarantine)
    fmt::print(out, "  page {} {} (page {} of file): {}\n", q.page_number, text::printable(q.source_file), q.source_page,
               text::printable(q.reason));
  if (r.results_refused > 0)
    fmt::print(out, "refused        {} answer(s) to no dispatch in flight (late, replayed or forged)\n", r.results_refused);
  for (const auto& s : o.skipped_files) fmt::print(out, "skipped        {} ({})\n", s.name, s.reason);
  if (processed_now > 0 && r.seconds > 0) {
    fmt::print(out, "time           {:.1f} s, {:.1f} pages/min\n", r.seconds, processed_now * 60.0 / r.seconds);
    std::string stages;
    for (const auto& [stage, ms] : r.stage_ms)
      stages += fmt::format("{} {:.0f}/{:.0f}  ", stage, percentile(ms, 0.5), percentile(ms, 0.95));
    fmt::print(out, "stage ms p50/p95  {}\n", stages);
    std::string depths;
    for (const auto& [stage, d] : r.queue_depth) depths += fmt::format("{} {:.1f}/{}  ", stage, d.mean, d.max);
    fmt::print(out, "queue mean/max    {}\n", depths);
  }
  if (r.interrupted) fmt::print(out, "INTERRUPTED: run the same command again to finish the batch\n");
}

void print_dispatch_summary(std::FILE* out, const BatchOutcome& o) {
  const RunResult& r = o.run;
  int linked = 0;
  fmt::print(out, "\n{:<3} {:<9} {:<15} {:<27} {:<8} {}\n", "#", "pages", "outbound", "dossier", "status", "reasons");
  for (const auto& d : o.dispatches) {
    const auto& pages = d["pages"];
    const std::string range =
        pages.empty() ? "-" : fmt::format("{}-{}", pages.front().get<int>(), pages.back().get<int>());
    std::string reasons;
    for (const auto& reason : d["reasons"]) reasons += (reasons.empty() ? "" : ", ") + text::printable(reason.get<std::string>());
    const std::string status = field(d, "status");
    if (status == "linked") ++linked;
    fmt::print(out, "{:<3} {:<9} {:<15} {:<27} {:<8} {}\n", d.value("group", 0), range, field(d, "tracking_number"),
               field(d, "dossier_code"), status, reasons);
  }
  fmt::print(out, "\nbatch          {}{}\n", r.batch_id, r.already_committed ? " (already committed: nothing redone)" : "");
  fmt::print(out, "store          {}\n", o.store_path);
  fmt::print(out, "dispatched at  {}\n", r.received_at);
  fmt::print(out, "linked         {} (dossiers now returned)\n", linked);
  fmt::print(out, "flagged        {}{}\n", o.dispatches.size() - linked,
             o.dispatches.size() > static_cast<std::size_t>(linked)
                 ? " (not linked: check them, then intake set-status CODE returned)"
                 : "");
  fmt::print(out, "quarantined    {}\n", r.quarantine.size());
  for (const auto& q : r.quarantine)
    fmt::print(out, "  page {} {} (page {} of file): {}\n", q.page_number, text::printable(q.source_file), q.source_page,
               text::printable(q.reason));
  if (r.interrupted) fmt::print(out, "INTERRUPTED: run the same command again to finish the batch\n");
}

nlohmann::json run_stats(const RunResult& r) {
  const int processed_now = r.pages_total - r.pages_resumed;
  nlohmann::json stages = nlohmann::json::object();
  for (const auto& [stage, ms] : r.stage_ms)
    stages[stage] = {{"p50_ms", percentile(ms, 0.5)}, {"p95_ms", percentile(ms, 0.95)}, {"pages", ms.size()}};
  for (const auto& [stage, d] : r.queue_depth) {
    stages[stage]["queue_mean"] = d.mean;
    stages[stage]["queue_max"] = d.max;
  }
  return {{"batch_id", r.batch_id},
          {"pages_total", r.pages_total},
          {"pages_processed", processed_now},
          {"seconds", r.seconds},
          {"pages_per_minute", r.seconds > 0 ? processed_now * 60.0 / r.seconds : 0.0},
          {"interrupted", r.interrupted},
          {"stages", stages}};
}

}  // namespace intake
