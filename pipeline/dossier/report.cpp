#include "pipeline/dossier/report.h"

#include <algorithm>

namespace intake {
namespace {

std::string day(const std::string& iso) { return iso.substr(0, std::min<std::size_t>(10, iso.size())); }

bool within(const std::string& d, const ReportPeriod& p) { return !d.empty() && d >= p.from && d <= p.to; }

void shares(std::map<std::string, Count>& counts, int total) {
  for (auto& [key, c] : counts) c.share = total ? static_cast<double>(c.n) / total : 0;
}

}  // namespace

Report make_report(const std::vector<DossierFacts>& dossiers, const std::vector<DispatchFacts>& dispatches,
                   const ReportPeriod& period, const WorkingCalendar& calendar) {
  Report r;
  r.period = period;
  std::string risk_until;  // the last day of the risk window
  if (const auto as_of = parse_date(period.as_of)) {
    const auto until = calendar.add_working_days(*as_of, period.risk_days);
    if (const auto* d = std::get_if<Date>(&until)) risk_until = format_date(*d);
    else r.calendar_gaps.push_back(std::get<CalendarGap>(until).year);
  }
  for (const auto& d : dossiers) {
    const std::string received = day(d.received_at);
    if (within(received, period)) {
      ++r.received;
      ++r.by_channel[d.channel.empty() ? "unknown" : d.channel].n;
      ++r.by_procedure[d.procedure_name.empty() ? "(unknown procedure)" : d.procedure_name].n;
      ++r.by_department[d.department.empty() ? "unknown" : d.department].n;
    }
    const std::string resolved = d.resolved_at ? day(*d.resolved_at) : "";
    if (within(resolved, period)) {
      ++r.resolved;
      if (!d.due_date) ++r.without_due_date;
      else if (resolved < *d.due_date) ++r.early;
      else if (resolved == *d.due_date) ++r.on_time;
      else ++r.late;
    }
    // Open on as_of: received by then and not resolved by then.
    const bool open = !received.empty() && received <= period.as_of && (resolved.empty() || resolved > period.as_of);
    if (open) {
      ++r.open;
      if (!d.due_date) {
        ++r.open_without_due_date;
      } else if (*d.due_date < period.as_of) {
        r.overdue.push_back({d.code, d.procedure_name, d.state, *d.due_date});
      } else if (!risk_until.empty() && *d.due_date <= risk_until) {
        r.at_risk.push_back({d.code, d.procedure_name, d.state, *d.due_date});
      }
    }
  }
  const int with_due = r.early + r.on_time + r.late;
  r.on_time_rate = with_due ? static_cast<double>(r.early + r.on_time) / with_due : 0;
  shares(r.by_channel, r.received);
  shares(r.by_procedure, r.received);
  shares(r.by_department, r.received);
  for (const auto& x : dispatches) {
    if (!within(day(x.dispatched_at), period)) continue;
    if (x.status == "linked") ++r.returns_dispatched;
    else ++r.dispatches_flagged;
  }
  auto by_due = [](const OpenDossier& a, const OpenDossier& b) { return a.due_date < b.due_date || (a.due_date == b.due_date && a.code < b.code); };
  std::sort(r.overdue.begin(), r.overdue.end(), by_due);
  std::sort(r.at_risk.begin(), r.at_risk.end(), by_due);
  return r;
}

}  // namespace intake
