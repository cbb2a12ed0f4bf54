// Report: the figures a commune centre publishes for a period, computed from the store's facts.
//
//   received      dossiers received in [from, to] by channel, procedure and department
//   resolved      dossiers resolved in [from, to]: early (before the due date), on time (on it),
//                 late (after it), and the on-time rate (early + on time) / resolved with a due date
//   open          as of `as_of`: not yet resolved, received on or before it; overdue (due before
//                 as_of) and at risk (due within `risk_days` working days after as_of)
//   returns       results dispatched by post in [from, to] (linked dispatches), and flagged ones
//
// Dates are local (Asia/Ho_Chi_Minh) YYYY-MM-DD; a day counts whole. Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/store.h"

namespace intake {

struct ReportPeriod {
  std::string from, to;  // inclusive, YYYY-MM-DD
  std::string as_of;     // the day open dossiers are judged on; usually `to`
  int risk_days = 2;
};

struct Count {
  int n = 0;
  double share = 0;  // of the total it belongs to, 0..1
};

struct OpenDossier {
  std::string code, procedure, state, due_date;
};

struct Report {
  ReportPeriod period;
  int received = 0;
  std::map<std::string, Count> by_channel, by_procedure, by_department;
  int resolved = 0, early = 0, on_time = 0, late = 0, without_due_date = 0;
  double on_time_rate = 0;  // of resolved with a due date; 0 when none
  int open = 0;
  std::vector<OpenDossier> overdue, at_risk;
  int open_without_due_date = 0;
  int returns_dispatched = 0, dispatches_flagged = 0;
  std::vector<int> calendar_gaps;  // years the risk window could not be computed for
};

Report make_report(const std::vector<DossierFacts>& dossiers, const std::vector<DispatchFacts>& dispatches,
                   const ReportPeriod& period, const WorkingCalendar& calendar);

}  // namespace intake
