// Store: the dossier store, one SQLite file (WAL, synchronous=FULL).
//
// It holds the batch ledger (every page of a batch, recorded before it is dispatched, with its
// state pending -> processed|quarantined -> committed and its result), the quarantine, and the
// committed dossier records. Everything the coordinator needs to resume an interrupted batch is
// here: rerunning a batch reads the ledger and dispatches only the pages not yet processed, and
// committing records is idempotent per (batch, first page).
//
// Schema changes are numbered migrations applied at open (table schema_migrations).
// A Store is used from one thread; open one per thread or process (SQLite serialises writers).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dossier/audit.h"
#include "pipeline/dossier/lifecycle.h"
#include "pipeline/dossier/record.h"
#include "pipeline/dossier/sqlite.h"
#include "pipeline/env.h"
#include "pipeline/error.h"
#include "pipeline/ledger.h"

namespace intake {

struct DossierStatus {
  std::string code;
  std::string state;
  DossierRecord record;
  std::vector<StateChange> history;  // oldest first; the first is its reception
};

// A record that came another way (intake import), with its later lifecycle to replay.
struct ImportedDossier {
  struct Step {
    std::string to, at, actor = "import", note;
  };
  DossierRecord record;
  std::vector<Step> history;
};

// What reports count, per dossier (pipeline/report.h).
struct DossierFacts {
  std::string code, state, channel, procedure_id, procedure_name, department, received_at;
  std::optional<std::string> due_date, resolved_at, returned_at;  // first change to resolved / returned
};
// A batch as the mailroom's list shows it.
struct BatchRow {
  std::string batch_id, input, received_at, state, created_at;
  std::optional<std::string> committed_at;
  int pages = 0, processed = 0, quarantined = 0, dossiers = 0, to_review = 0;
};

struct DispatchFacts {
  std::string dossier_code, status, dispatched_at;
};

class Store final : public Ledger {
 public:
  // The times it writes (created, updated, committed, quarantined at) come from env's wall clock.
  explicit Store(const std::filesystem::path& path, const Env& env = Env::real());  // throws StoreError

  int schema_version();
  static int latest_schema_version();  // the version this program migrates a store to

  // Records the batch and its pages (pages already present keep their state). Returns the batch
  // as stored: a resumed batch keeps the received_at it was first given. A batch extended since
  // it was committed (a hot folder that grew: see run_batch) is open again: its new pages are
  // added, a page whose content changed is pending again (its result and quarantine entry
  // dropped), and committing it again updates its dossiers in place (same codes).
  BatchInfo open_batch(const std::string& batch_id, const std::string& input, const std::string& received_at,
                       const std::vector<LedgerPage>& pages) override;
  std::optional<BatchInfo> batch(const std::string& batch_id);
  // A quarantined page given another chance (the scanner's file was replaced, a stage fixed):
  // pending again, its failures and quarantine entry forgotten, its batch open, so that running
  // the batch again processes it and commits the batch's dossiers anew (corrections kept).
  // Refused unless the page is quarantined.
  Result<int> retry_page(const std::string& batch_id, int number, const std::string& actor);
  // An operator's type for a page (nothing: the pipeline's again). Records rebuilt from their
  // pages (a split, a merge, a move) use it instead of the classifier's.
  void set_page_type(const std::string& batch_id, int number, const std::optional<std::string>& type,
                     const std::string& actor);
  std::map<int, std::string> page_types(const std::string& batch_id);  // page -> type
  // The latest batches (most recently opened first), with their counts.
  std::vector<BatchRow> batches(int limit = 200, const std::string& only = "");
  std::optional<BatchRow> batch_row(const std::string& batch_id);  // one batch with its counts
  // The batch most recently opened for this input path, if any.
  std::optional<std::string> latest_batch_for_input(const std::string& input);
  std::vector<LedgerPage> ledger(const std::string& batch_id) override;
  // Counts a failed dispatch of a page (its worker died on it or stalled: see
  // pipeline/crash_journal.h). The same (batch, page, token) counts once. Returns the page's
  // failures so far; 0 when the page is not in the ledger.
  int record_failure(const std::string& batch_id, int number, const std::string& token, const std::string& stage,
                     const std::string& reason) override;
  // The reasons of a page's failed dispatches, oldest first.
  std::vector<std::string> failures(const std::string& batch_id, int number) override;
  void save_page(const std::string& batch_id, int number, const std::string& state, const nlohmann::json& result,
                 const std::optional<std::string>& error) override;
  void quarantine(const QuarantineEntry& entry, const nlohmann::json& result) override;
  std::vector<QuarantineEntry> quarantined(const std::string& batch_id) override;

  // In one transaction: gives each record without one a dossier code AGENCY-YYMMDD-NNNN (the
  // next number of that agency and received day; a record committed before keeps its code),
  // upserts the records keyed by (batch, first page), marks the batch's pages committed and the
  // batch committed. Writing the same records again changes nothing. An empty agency: no codes.
  // Safe with several processes or threads committing to one file (each with its own Store).
  // `explanations`, one per record when given, are kept beside them (intake.explanation/1).
  void commit_dossiers(const std::string& batch_id, const std::vector<DossierRecord>& records,
                       const std::vector<nlohmann::json>& explanations, const std::string& agency = "");
  void commit_dossiers(const std::string& batch_id, const std::vector<DossierRecord>& records,
                       const std::string& agency = "") {
    commit_dossiers(batch_id, records, {}, agency);
  }
  // Why a committed dossier's pages were grouped as they were; nothing for imported dossiers.
  std::optional<nlohmann::json> explanation(const std::string& code);
  // A batch's dossiers in scan order. A stored record that no longer follows the schema is a
  // StoreError naming the dossier and the field.
  std::vector<DossierRecord> dossiers(const std::string& batch_id);
  // Their explanations, in the same order (null where there is none).
  std::vector<nlohmann::json> explanations(const std::string& batch_id);

  // Records that came another way (intake import): in one transaction, keyed by (batch_id, line),
  // keeping a given dossier_code (refused when another dossier has it) or allocating one, and
  // replaying each record's history through the lifecycle rules; a refused change rolls the
  // whole import back (StoreError). Nothing when the batch was imported before; else the
  // records as stored.
  std::optional<std::vector<DossierRecord>> import_dossiers(const std::string& batch_id, const std::string& source,
                                                            const std::vector<ImportedDossier>& records,
                                                            const std::string& agency, const WorkingCalendar& calendar);

  std::vector<DossierFacts> facts();
  std::vector<DispatchFacts> dispatch_facts();

  // In one transaction: checks each planned dispatch (pipeline/dispatch.h) against the store and
  // either links it (the dossier was resolved: it becomes returned, actor "mailroom", at the
  // dispatch time) or flags it with its reasons (tracking number missing or invalid, no dossier
  // code or one read only from text, unknown dossier, not resolved, already returned, the
  // tracking number is the inbound one or another dossier's); stores them all and marks the
  // batch committed.
  void commit_dispatches(const std::string& batch_id, const std::vector<nlohmann::json>& planned,
                         const WorkingCalendar& calendar);
  std::vector<nlohmann::json> dispatches(const std::string& batch_id);
  std::vector<nlohmann::json> dispatches_of(const std::string& dossier_code);
  // By dossier code, tracking number (inbound, or outbound of a linked dispatch), or
  // "<batch_id>/<n>" (n-th dossier of the batch, 1-based).
  std::vector<DossierRecord> find_dossiers(const std::string& key);
  // Every dossier with a code as it stands now (corrections included), in the order committed;
  // with `since` (ISO 8601, +07:00), those committed or changed by someone since then.
  std::vector<DossierRecord> export_records(const std::string& since = "");
  // ... or else by the applicant's ID number or a part of the applicant's name.
  std::vector<DossierRecord> search(const std::string& key);

  // The audit trail (pipeline/dossier/audit.h): appends one entry (`at` empty: now).
  void append_audit(const AuditEntry& entry);
  // An object's entries, oldest first; or the latest `limit` entries of all.
  std::vector<AuditEntry> audit_of(const std::string& object);
  std::vector<AuditEntry> latest_audit(int limit);

  // Lifecycle (pipeline/lifecycle.h): the state and history of a dossier, by code.
  std::optional<DossierStatus> status(const std::string& code);
  // Stores a change planned with plan_change: the new state, the record's due date, the event;
  // throws StoreError when the dossier is no longer in change.from (someone changed it meanwhile).
  void apply_change(const std::string& code, const StateChange& change);

 private:
  friend class Accounts;    // users and sessions (pipeline/dossier/accounts.h)
  friend class ReviewDesk;  // the verification queue (pipeline/dossier/review.h)
  void migrate();
  bool has_page(const std::string& batch_id, int number);  // the batch has that page
  std::string now() const;  // env's wall clock, Asia/Ho_Chi_Minh
  // Inside a transaction: gives codes, upserts by (batch_id, key), logs the reception of the
  // dossiers new to the store (returned true for those).
  std::vector<bool> write_records(const std::string& batch_id, std::vector<DossierRecord>& records,
                                  const std::vector<int64_t>& keys, const std::string& agency, const std::string& actor,
                                  const std::string& note, const std::vector<nlohmann::json>* explanations = nullptr);
  const Env* env_;
  Db db_;
};

// Now in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), ISO 8601 with offset.
std::string now_iso_vn();

}  // namespace intake
