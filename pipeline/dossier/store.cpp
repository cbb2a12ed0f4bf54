#include "pipeline/dossier/store.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "pipeline/dossier/dispatch.h"
#include "pipeline/dossier/local_time.h"
#include "pipeline/text.h"

namespace intake {
namespace {

// A record as stored: read through its one mapping; one that no longer follows the schema is
// the store's error, naming where it is.
DossierRecord stored_record(const std::string& text, const std::string& where) {
  try {
    return dossier_from_json(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    throw StoreError("stored record of " + where + " is not JSON: " + e.what());
  } catch (const RecordError& e) {
    throw StoreError("stored record of " + where + ": " + e.what());
  }
}

// Each entry is one migration; never edit one that has shipped, append a new one.
const std::vector<std::string_view> kMigrations = {
    R"sql(
      CREATE TABLE batches(
        batch_id TEXT PRIMARY KEY, input TEXT NOT NULL, received_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open', page_count INTEGER NOT NULL,
        created_at TEXT NOT NULL, committed_at TEXT);
      CREATE TABLE pages(
        batch_id TEXT NOT NULL REFERENCES batches(batch_id), number INTEGER NOT NULL,
        source_file TEXT NOT NULL, source_page INTEGER NOT NULL, content_hash TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT, error TEXT, updated_at TEXT,
        PRIMARY KEY(batch_id, number));
      CREATE TABLE quarantine(
        batch_id TEXT NOT NULL, page_number INTEGER NOT NULL, source_file TEXT NOT NULL,
        source_page INTEGER NOT NULL, reason TEXT NOT NULL, stored_path TEXT, at TEXT NOT NULL,
        PRIMARY KEY(batch_id, page_number, reason));
      CREATE TABLE dossiers(
        id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, first_page INTEGER NOT NULL,
        dossier_code TEXT UNIQUE, tracking_number TEXT, record TEXT NOT NULL, committed_at TEXT NOT NULL,
        UNIQUE(batch_id, first_page));
      CREATE INDEX dossiers_tracking ON dossiers(tracking_number);
    )sql",
    // 2: dossier codes AGENCY-YYMMDD-NNNN, a gap-free sequence per agency and received day.
    R"sql(
      CREATE TABLE dossier_code_sequences(
        agency TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY(agency, day));
    )sql",
    // 3: the lifecycle: the current state and every change, with the due date after it.
    R"sql(
      ALTER TABLE dossiers ADD COLUMN state TEXT NOT NULL DEFAULT 'received';
      CREATE TABLE dossier_events(
        id INTEGER PRIMARY KEY, dossier_code TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL,
        at TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', due_date TEXT);
      CREATE INDEX dossier_events_code ON dossier_events(dossier_code, id);
      INSERT INTO dossier_events(dossier_code, from_state, to_state, at, actor, note, due_date)
        SELECT dossier_code, NULL, 'received', json_extract(record, '$.received_at'), 'intake',
               'batch ' || batch_id, json_extract(record, '$.due_date')
        FROM dossiers WHERE dossier_code IS NOT NULL ORDER BY id;
    )sql",
    // 4: dispatches of results: which outbound item took which dossier's result home.
    R"sql(
      CREATE TABLE dispatches(
        id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, seq INTEGER NOT NULL, dossier_code TEXT,
        tracking_number TEXT, dispatched_at TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL,
        UNIQUE(batch_id, seq));
      CREATE INDEX dispatches_tracking ON dispatches(tracking_number);
      CREATE INDEX dispatches_code ON dispatches(dossier_code);
    )sql",
    // 5: failed dispatches, one row each (a worker died or stalled on the page while the run
    // lived). Until 4 every dispatch was counted, so a run that died charged the pages in flight:
    // those counts are forgiven.
    R"sql(
      CREATE TABLE page_failures(
        batch_id TEXT NOT NULL, number INTEGER NOT NULL, token TEXT NOT NULL, stage TEXT NOT NULL,
        reason TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(batch_id, number, token));
      UPDATE pages SET attempts = 0;
    )sql",
    // 6: why a dossier's pages were grouped as they were (intake.explanation/1, from the assembler).
    R"sql(
      ALTER TABLE dossiers ADD COLUMN explanation TEXT;
    )sql",
    // 7: the operators' side. Users (Argon2id hashes), server-side sessions (only a hash of the
    // token), failed sign-ins for throttling, an append-only audit trail; per dossier a record
    // version, a review lease, the review state and the pipeline's record as it was before any
    // correction.
    R"sql(
      CREATE TABLE users(
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
      CREATE TABLE sessions(
        token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), csrf TEXT NOT NULL,
        address TEXT NOT NULL, created_at INTEGER NOT NULL, seen_at INTEGER NOT NULL);
      CREATE TABLE sign_in_failures(key TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX sign_in_failures_key ON sign_in_failures(key, at);
      CREATE TABLE audit(
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        object TEXT NOT NULL, old_value TEXT, new_value TEXT, address TEXT NOT NULL DEFAULT '');
      CREATE INDEX audit_object ON audit(object, id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      ALTER TABLE dossiers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE dossiers ADD COLUMN review_state TEXT NOT NULL DEFAULT 'none';
      ALTER TABLE dossiers ADD COLUMN review_note TEXT;
      ALTER TABLE dossiers ADD COLUMN lease_user TEXT;
      ALTER TABLE dossiers ADD COLUMN lease_until INTEGER;
      ALTER TABLE dossiers ADD COLUMN original TEXT;
      UPDATE dossiers SET review_state = 'pending' WHERE json_extract(record, '$.review.required');
    )sql",
    // 8: an operator's page type, which every rebuild of a record from its pages uses
    R"sql(
      CREATE TABLE page_types(
        batch_id TEXT NOT NULL, number INTEGER NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY(batch_id, number));
    )sql",
    // 9: the review queue in its order (ReviewDesk::queue), without reading every record
    R"sql(
      CREATE INDEX dossiers_review_queue ON dossiers(
        review_state, json_extract(record, '$.due_date') IS NULL, json_extract(record, '$.due_date'),
        json_extract(record, '$.received_at'), id) WHERE dossier_code IS NOT NULL;
    )sql",
};

// "2026-02-13T14:30:00+07:00" -> "260213".
std::string yymmdd(const std::string& received_at) {
  const auto t = LocalTime::parse(received_at);
  if (!t) throw std::invalid_argument("received_at is not a local time: '" + received_at + "'");
  return t->yymmdd();
}

}  // namespace

std::string now_iso_vn() { return LocalTime::now().iso(); }

std::string Store::now() const { return LocalTime::at(env_->wall_now()).iso(); }

Store::Store(const std::filesystem::path& path, const Env& env) : env_(&env), db_(path) {
  db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  migrate();
}

void Store::migrate() {
  db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  db_.transaction([&] {
    const int current = schema_version();
    if (current > static_cast<int>(kMigrations.size()))
      db_.fail("store schema version " + std::to_string(current) + " is newer than this program knows");
    for (int v = current + 1; v <= static_cast<int>(kMigrations.size()); ++v) {
      db_.exec(kMigrations[v - 1]);
      Statement(db_, "INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)")
          .bind(1, int64_t{v})
          .bind(2, now())
          .run();
    }
  });
}

int Store::latest_schema_version() { return static_cast<int>(kMigrations.size()); }

int Store::schema_version() {
  Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  s.step();
  const int v = static_cast<int>(s.integer(0));
  s.run();
  return v;
}

BatchInfo Store::open_batch(const std::string& batch_id, const std::string& input, const std::string& received_at,
                            const std::vector<LedgerPage>& pages) {
  db_.transaction([&] {
    Statement(db_,
              "INSERT OR IGNORE INTO batches(batch_id, input, received_at, page_count, created_at) "
              "VALUES(?, ?, ?, ?, ?)")
        .bind(1, batch_id)
        .bind(2, input)
        .bind(3, received_at)
        .bind(4, int64_t(pages.size()))
        .bind(5, now())
        .run();
    Statement insert(db_,
                     "INSERT OR IGNORE INTO pages(batch_id, number, source_file, source_page, content_hash, state, "
                     "error, updated_at) VALUES(?, ?, ?, ?, ?, 'pending', ?, ?)");
    Statement changed(db_,
                      "UPDATE pages SET source_file = ?3, source_page = ?4, content_hash = ?5, state = 'pending', "
                      "result = NULL, error = ?6, attempts = 0, updated_at = ?7 "
                      "WHERE batch_id = ?1 AND number = ?2 AND (content_hash <> ?5 OR source_file <> ?3) RETURNING number");
    Statement unquarantine(db_, "DELETE FROM quarantine WHERE batch_id = ? AND page_number = ?");
    Statement unfail(db_, "DELETE FROM page_failures WHERE batch_id = ? AND number = ?");
    // Both statements take a page as ?1..?7.
    const auto bind_page = [&](Statement& st, const LedgerPage& p) -> Statement& {
      return st.bind(1, batch_id)
          .bind(2, int64_t{p.number})
          .bind(3, p.source_file)
          .bind(4, int64_t{p.source_page})
          .bind(5, p.content_hash)
          .bind(6, p.error)
          .bind(7, now());
    };
    for (const auto& p : pages) {
      bind_page(insert, p).run();
      insert.reset();
      bind_page(changed, p);
      const bool was_changed = changed.step();
      changed.reset();
      if (was_changed) {
        unquarantine.bind(1, batch_id).bind(2, int64_t{p.number}).run();
        unquarantine.reset();
        unfail.bind(1, batch_id).bind(2, int64_t{p.number}).run();
        unfail.reset();
      }
    }
    // Grown or changed since it was committed: open again.
    Statement(db_,
              "UPDATE batches SET state = 'open', page_count = ?2 WHERE batch_id = ?1 AND state = 'committed' "
              "AND EXISTS(SELECT 1 FROM pages WHERE batch_id = ?1 AND state = 'pending')")
        .bind(1, batch_id).bind(2, int64_t(pages.size())).run();
  });
  return *batch(batch_id);
}

std::optional<BatchInfo> Store::batch(const std::string& batch_id) {
  Statement s(db_, "SELECT batch_id, input, received_at, state FROM batches WHERE batch_id = ?");
  s.bind(1, batch_id);
  if (!s.step()) return std::nullopt;
  BatchInfo b{s.text(0), s.text(1), s.text(2), s.text(3)};
  s.run();
  return b;
}

std::optional<std::string> Store::latest_batch_for_input(const std::string& input) {
  Statement s(db_, "SELECT batch_id FROM batches WHERE input = ? ORDER BY created_at DESC, rowid DESC LIMIT 1");
  s.bind(1, input);
  if (!s.step()) return std::nullopt;
  auto id = s.text(0);
  s.run();
  return id;
}

std::vector<LedgerPage> Store::ledger(const std::string& batch_id) {
  Statement s(db_,
              "SELECT number, source_file, source_page, content_hash, state, attempts, result, error "
              "FROM pages WHERE batch_id = ? ORDER BY number");
  s.bind(1, batch_id);
  std::vector<LedgerPage> out;
  while (s.step())
    out.push_back({static_cast<int>(s.integer(0)), s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4),
                   static_cast<int>(s.integer(5)), s.optional_text(6), s.optional_text(7)});
  return out;
}

bool Store::has_page(const std::string& batch_id, int number) {
  Statement known(db_, "SELECT 1 FROM pages WHERE batch_id = ? AND number = ?");
  known.bind(1, batch_id).bind(2, int64_t{number});
  return known.step();
}

int Store::record_failure(const std::string& batch_id, int number, const std::string& token, const std::string& stage,
                          const std::string& reason) {
  int failures = 0;
  db_.transaction([&] {
    if (!has_page(batch_id, number)) return;
    Statement(
        db_, "INSERT OR IGNORE INTO page_failures(batch_id, number, token, stage, reason, at) VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, batch_id)
        .bind(2, int64_t{number})
        .bind(3, token)
        .bind(4, stage)
        .bind(5, reason)
        .bind(6, now())
        .run();
    Statement(db_,
              "UPDATE pages SET attempts = (SELECT count(*) FROM page_failures f WHERE f.batch_id = pages.batch_id "
              "AND f.number = pages.number), updated_at = ? WHERE batch_id = ? AND number = ?")
        .bind(1, now())
        .bind(2, batch_id)
        .bind(3, int64_t{number})
        .run();
    Statement count(db_, "SELECT attempts FROM pages WHERE batch_id = ? AND number = ?");
    count.bind(1, batch_id).bind(2, int64_t{number});
    if (count.step()) failures = static_cast<int>(count.integer(0));
    count.run();
  });
  return failures;
}

std::vector<std::string> Store::failures(const std::string& batch_id, int number) {
  Statement s(db_, "SELECT stage || ': ' || reason FROM page_failures WHERE batch_id = ? AND number = ? ORDER BY at, rowid");
  s.bind(1, batch_id).bind(2, int64_t{number});
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void Store::save_page(const std::string& batch_id, int number, const std::string& state,
                      const nlohmann::json& result, const std::optional<std::string>& error) {
  Statement(db_, "UPDATE pages SET state = ?, result = ?, error = ?, updated_at = ? WHERE batch_id = ? AND number = ?")
      .bind(1, state)
      .bind(2, result.dump())
      .bind(3, error)
      .bind(4, now())
      .bind(5, batch_id)
      .bind(6, int64_t{number})
      .run();
}

void Store::quarantine(const QuarantineEntry& e, const nlohmann::json& result) {
  db_.transaction([&] {
    if (!has_page(e.batch_id, e.page_number)) return;
    save_page(e.batch_id, e.page_number, "quarantined", result, e.reason);
    Statement(
        db_,
        "INSERT OR IGNORE INTO quarantine(batch_id, page_number, source_file, source_page, reason, stored_path, at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, e.batch_id)
        .bind(2, int64_t{e.page_number})
        .bind(3, e.source_file)
        .bind(4, int64_t{e.source_page})
        .bind(5, e.reason)
        .bind(6, e.stored_path)
        .bind(7, e.at.empty() ? now() : e.at)
        .run();
  });
}

std::vector<QuarantineEntry> Store::quarantined(const std::string& batch_id) {
  Statement s(db_,
              "SELECT batch_id, page_number, source_file, source_page, reason, COALESCE(stored_path, ''), at "
              "FROM quarantine WHERE batch_id = ? ORDER BY page_number");
  s.bind(1, batch_id);
  std::vector<QuarantineEntry> out;
  while (s.step())
    out.push_back({s.text(0), static_cast<int>(s.integer(1)), s.text(2), static_cast<int>(s.integer(3)), s.text(4),
                   s.text(5), s.text(6)});
  return out;
}

void Store::commit_dossiers(const std::string& batch_id, const std::vector<DossierRecord>& input,
                            const std::vector<nlohmann::json>& explanations, const std::string& agency) {
  std::vector<DossierRecord> records = input;
  std::vector<int64_t> keys;
  for (const auto& r : records) keys.push_back(r.pages.empty() ? 0 : r.pages.front().number);
  db_.transaction([&] {
    write_records(batch_id, records, keys, agency, "intake", "batch " + batch_id, &explanations);
    Statement(db_, "UPDATE pages SET state = 'committed' WHERE batch_id = ? AND state = 'processed'")
        .bind(1, batch_id).run();
    Statement(db_, "UPDATE batches SET state = 'committed', committed_at = ? WHERE batch_id = ?")
        .bind(1, now())
        .bind(2, batch_id)
        .run();
  });
}

std::vector<bool> Store::write_records(const std::string& batch_id, std::vector<DossierRecord>& records,
                                       const std::vector<int64_t>& keys, const std::string& agency,
                                       const std::string& actor, const std::string& note,
                                       const std::vector<nlohmann::json>* explanations) {
  // Codes are taken inside the caller's write transaction (BEGIN IMMEDIATE: one writer at a
  // time), so concurrent sinks never share a number and a rolled-back commit gives them back.
  Statement existing(db_, "SELECT dossier_code FROM dossiers WHERE batch_id = ? AND first_page = ?");
  Statement next(db_,
                 "INSERT INTO dossier_code_sequences(agency, day, last) VALUES(?, ?, 1) "
                 "ON CONFLICT(agency, day) DO UPDATE SET last = last + 1 RETURNING last");
  Statement taken(db_, "SELECT batch_id, first_page FROM dossiers WHERE dossier_code = ?");
  Statement at_least(db_,
                     "INSERT INTO dossier_code_sequences(agency, day, last) VALUES(?1, ?2, ?3) "
                     "ON CONFLICT(agency, day) DO UPDATE SET last = MAX(last, ?3)");
  // Codes given from outside in this agency's series move its sequence past them first, so
  // that no code given now collides with one given by the sequence.
  for (const auto& r : records) {
    if (agency.empty() || !r.dossier_code) continue;
    const std::string& code = *r.dossier_code;
    const std::string prefix = agency + "-";
    if (code.size() != prefix.size() + 11 || code.compare(0, prefix.size(), prefix) != 0) continue;
    at_least.reset();
    at_least.bind(1, agency).bind(2, code.substr(prefix.size(), 6)).bind(3, std::stoll(code.substr(prefix.size() + 7)));
    at_least.run();
  }
  std::vector<bool> fresh(records.size(), false);
  for (std::size_t k = 0; k < records.size(); ++k) {
    auto& r = records[k];
    existing.reset();
    existing.bind(1, batch_id).bind(2, keys[k]);
    std::optional<std::string> before;
    if (existing.step()) before = existing.optional_text(0);
    existing.reset();
    if (r.dossier_code) {
      // A code given from outside (an import): it must not be another dossier's.
      const std::string& code = *r.dossier_code;
      taken.reset();
      taken.bind(1, code);
      if (taken.step() && (taken.text(0) != batch_id || taken.integer(1) != keys[k]))
        throw StoreError("dossier code " + code + " is already used by dossier " + taken.text(0) + "/" +
                         std::to_string(taken.integer(1)));
      taken.reset();
      fresh[k] = !before;
      continue;
    }
    if (agency.empty()) continue;
    if (before) {
      r.dossier_code = *before;  // committed before: the record keeps its code
      continue;
    }
    const std::string day = yymmdd(r.received_at);
    next.reset();
    next.bind(1, agency).bind(2, day);
    if (!next.step()) db_.fail("no dossier code sequence for " + agency + " " + day);
    char seq[16];
    std::snprintf(seq, sizeof seq, "%04lld", static_cast<long long>(next.integer(0)));
    next.reset();
    r.dossier_code = agency + "-" + day + "-" + seq;
    fresh[k] = true;
  }
  // A dossier an operator corrected keeps the correction when its batch is committed again (a
  // hot folder that grew): the pipeline's new record becomes its original, and it goes back to
  // the review queue so that someone looks at what changed.
  Statement upsert(
      db_,
      "INSERT INTO dossiers(batch_id, first_page, dossier_code, tracking_number, record, committed_at, "
      "explanation, review_state) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(batch_id, first_page) DO "
      "UPDATE SET dossier_code = excluded.dossier_code, explanation = excluded.explanation, "
      "tracking_number = CASE WHEN original IS NULL THEN excluded.tracking_number ELSE tracking_number END, "
      "review_state = CASE WHEN review_state = 'merged' THEN review_state "
      "WHEN original IS NULL THEN excluded.review_state "
      "WHEN original = excluded.record THEN review_state ELSE 'pending' END, "
      "original = CASE WHEN original IS NULL THEN NULL ELSE excluded.record END, "
      "record = CASE WHEN original IS NULL THEN excluded.record ELSE record END");
  for (std::size_t k = 0; k < records.size(); ++k) {
    const auto& r = records[k];
    std::optional<std::string> explanation;
    if (explanations && k < explanations->size()) explanation = (*explanations)[k].dump();
    upsert.bind(1, batch_id)
        .bind(2, keys[k])
        .bind(3, r.dossier_code)
        .bind(4, r.tracking_number)
        .bind(5, to_json(r).dump())
        .bind(6, now())
        .bind(7, explanation)
        .bind(8, r.review_required() ? "pending" : "none")
        .run();
  }
  // A dossier's life starts when it is first committed with its code.
  Statement received(db_,
                     "INSERT INTO dossier_events(dossier_code, from_state, to_state, at, actor, note, due_date) "
                     "VALUES(?, NULL, 'received', ?, ?, ?, ?)");
  for (std::size_t k = 0; k < records.size(); ++k) {
    const auto& r = records[k];
    if (!fresh[k] || !r.dossier_code) continue;
    received.bind(1, *r.dossier_code).bind(2, r.received_at).bind(3, actor).bind(4, note).bind(5, r.due_date).run();
  }
  return fresh;
}

std::optional<std::vector<DossierRecord>> Store::import_dossiers(const std::string& batch_id, const std::string& source,
                                                                 const std::vector<ImportedDossier>& input,
                                                                 const std::string& agency,
                                                                 const WorkingCalendar& calendar) {
  std::vector<DossierRecord> records;
  for (const auto& i : input) records.push_back(i.record);
  bool done_before = false;
  db_.transaction([&] {
    Statement seen(db_, "SELECT state FROM batches WHERE batch_id = ?");
    seen.bind(1, batch_id);
    if (seen.step() && seen.text(0) == "committed") {
      done_before = true;
      return;
    }
    seen.reset();
    Statement(db_,
              "INSERT INTO batches(batch_id, input, received_at, page_count, created_at) VALUES(?, ?, ?, 0, ?) "
              "ON CONFLICT(batch_id) DO NOTHING")
        .bind(1, batch_id)
        .bind(2, source)
        .bind(3, now())
        .bind(4, now())
        .run();
    std::vector<int64_t> keys;
    for (std::size_t k = 0; k < records.size(); ++k) keys.push_back(static_cast<int64_t>(k) + 1);
    const auto fresh = write_records(batch_id, records, keys, agency, "import", "import " + source);
    // Each record's later history, checked change by change as set-status would.
    for (std::size_t k = 0; k < records.size(); ++k) {
      if (!fresh[k]) continue;
      auto& record = records[k];
      const std::string code = *record.dossier_code;
      std::string state = "received", last_at = record.received_at, pause_started;
      for (const auto& h : input[k].history) {
        const auto planned = plan_change(record, state, last_at, pause_started, h.to, h.at, h.actor, h.note, calendar);
        if (const auto* refused = std::get_if<Refusal>(&planned))
          throw StoreError("record " + std::to_string(k + 1) + " (" + code + "): history: " + refused->reason);
        const auto& change = std::get<StateChange>(planned);
        record.due_date = change.due_date;
        if (change.to == "waiting_supplement") pause_started = change.at;
        state = change.to;
        last_at = change.at;
        Statement(db_,
                  "INSERT INTO dossier_events(dossier_code, from_state, to_state, at, actor, note, due_date) "
                  "VALUES(?, ?, ?, ?, ?, ?, ?)")
            .bind(1, code).bind(2, change.from).bind(3, change.to).bind(4, change.at).bind(5, change.actor)
            .bind(6, change.note).bind(7, change.due_date).run();
      }
      Statement(db_, "UPDATE dossiers SET state = ?, record = ? WHERE dossier_code = ?")
          .bind(1, state)
          .bind(2, to_json(record).dump())
          .bind(3, code)
          .run();
    }
    Statement(db_, "UPDATE batches SET state = 'committed', committed_at = ? WHERE batch_id = ?")
        .bind(1, now())
        .bind(2, batch_id)
        .run();
  });
  if (done_before) return std::nullopt;
  return records;
}

std::vector<DossierFacts> Store::facts() {
  Statement s(
      db_,
      "SELECT d.dossier_code, d.state, COALESCE(json_extract(d.record, '$.channel'), ''), "
      "COALESCE(json_extract(d.record, '$.procedure.id'), ''), "
      "COALESCE(json_extract(d.record, '$.procedure.name'), ''), COALESCE(json_extract(d.record, '$.department'), ''), "
      "COALESCE(json_extract(d.record, '$.received_at'), ''), json_extract(d.record, '$.due_date'), "
      "(SELECT MIN(at) FROM dossier_events e WHERE e.dossier_code = d.dossier_code AND e.to_state = 'resolved'), "
      "(SELECT MIN(at) FROM dossier_events e WHERE e.dossier_code = d.dossier_code AND e.to_state = 'returned') "
      "FROM dossiers d WHERE d.dossier_code IS NOT NULL AND d.review_state <> 'merged' ORDER BY d.id");
  std::vector<DossierFacts> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.optional_text(7),
                   s.optional_text(8), s.optional_text(9)});
  return out;
}

std::vector<DispatchFacts> Store::dispatch_facts() {
  Statement s(db_, "SELECT COALESCE(dossier_code, ''), status, dispatched_at FROM dispatches ORDER BY id");
  std::vector<DispatchFacts> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2)});
  return out;
}

std::optional<nlohmann::json> Store::explanation(const std::string& code) {
  Statement s(db_, "SELECT explanation FROM dossiers WHERE dossier_code = ?");
  s.bind(1, code);
  if (!s.step()) return std::nullopt;
  const auto text = s.optional_text(0);
  s.run();
  if (!text) return std::nullopt;
  return nlohmann::json::parse(*text);
}

std::vector<DossierRecord> Store::dossiers(const std::string& batch_id) {
  Statement s(db_, "SELECT record, first_page FROM dossiers WHERE batch_id = ? ORDER BY first_page");
  s.bind(1, batch_id);
  std::vector<DossierRecord> out;
  while (s.step()) out.push_back(stored_record(s.text(0), batch_id + "/page " + std::to_string(s.integer(1))));
  return out;
}

std::vector<nlohmann::json> Store::explanations(const std::string& batch_id) {
  Statement s(db_, "SELECT explanation FROM dossiers WHERE batch_id = ? ORDER BY first_page");
  s.bind(1, batch_id);
  std::vector<nlohmann::json> out;
  while (s.step()) {
    const auto text = s.optional_text(0);
    out.push_back(text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json());
    if (out.back().is_discarded()) out.back() = nullptr;
  }
  return out;
}

std::vector<DossierRecord> Store::find_dossiers(const std::string& key) {
  std::vector<DossierRecord> out;
  if (auto slash = key.find('/'); slash != std::string::npos) {
    const auto all = dossiers(key.substr(0, slash));
    try {
      const auto n = std::stoul(key.substr(slash + 1));
      if (n >= 1 && n <= all.size()) out.push_back(all[n - 1]);
    } catch (const std::exception&) {
    }
    return out;
  }
  Statement s(db_,
              "SELECT record FROM dossiers WHERE dossier_code = ?1 OR tracking_number = ?1 OR dossier_code IN "
              "(SELECT dossier_code FROM dispatches WHERE tracking_number = ?1 AND status = 'linked') ORDER BY id");
  s.bind(1, key);
  while (s.step()) out.push_back(stored_record(s.text(0), "dossier " + key));
  return out;
}

std::optional<DossierStatus> Store::status(const std::string& code) {
  Statement d(db_, "SELECT state, record FROM dossiers WHERE dossier_code = ?");
  d.bind(1, code);
  if (!d.step()) return std::nullopt;
  DossierStatus st{code, d.text(0), stored_record(d.text(1), "dossier " + code), {}};
  d.reset();
  Statement e(db_,
              "SELECT COALESCE(from_state, ''), to_state, at, actor, note, due_date FROM dossier_events "
              "WHERE dossier_code = ? ORDER BY id");
  e.bind(1, code);
  while (e.step()) st.history.push_back({e.text(0), e.text(1), e.text(2), e.text(3), e.text(4), e.optional_text(5)});
  return st;
}

void Store::apply_change(const std::string& code, const StateChange& change) {
  db_.transaction([&] {
    Statement current(db_, "SELECT state, record FROM dossiers WHERE dossier_code = ?");
    current.bind(1, code);
    if (!current.step()) db_.fail("no dossier " + code);
    const std::string state = current.text(0);
    auto record = stored_record(current.text(1), "dossier " + code);
    current.reset();
    if (state != change.from)
      throw StoreError("dossier " + code + " is now " + state + ", not " + change.from + ": it changed meanwhile");
    record.due_date = change.due_date;
    // A new version: a review screen opened before this change must not save over it.
    Statement(db_, "UPDATE dossiers SET state = ?, record = ?, version = version + 1 WHERE dossier_code = ?")
        .bind(1, change.to)
        .bind(2, to_json(record).dump())
        .bind(3, code)
        .run();
    Statement(db_,
              "INSERT INTO dossier_events(dossier_code, from_state, to_state, at, actor, note, due_date) "
              "VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, code).bind(2, change.from).bind(3, change.to).bind(4, change.at).bind(5, change.actor)
        .bind(6, change.note).bind(7, change.due_date).run();
  });
}

std::vector<DossierRecord> Store::search(const std::string& key) {
  std::vector<DossierRecord> out = find_dossiers(key);
  if (!out.empty() || key.find('/') != std::string::npos) return out;
  // Names match accent- and case-insensitively ("nguyen van an" finds "Nguyễn Văn An").
  const std::string wanted = text::squeeze(text::fold(key));
  if (wanted.empty()) return out;
  Statement s(db_,
              "SELECT record, json_extract(record, '$.applicant.id_number'), "
              "json_extract(record, '$.applicant.full_name'), batch_id, first_page FROM dossiers ORDER BY id");
  while (s.step()) {
    const bool id = s.optional_text(1) == key;
    const auto name = s.optional_text(2);
    if (id || (name && text::squeeze(text::fold(*name)).find(wanted) != std::string::npos))
      out.push_back(stored_record(s.text(0), s.text(3) + "/page " + std::to_string(s.integer(4))));
  }
  return out;
}

void Store::commit_dispatches(const std::string& batch_id, const std::vector<nlohmann::json>& planned,
                              const WorkingCalendar& calendar) {
  db_.transaction([&] {
    Statement dossier(db_, "SELECT state, record, tracking_number FROM dossiers WHERE dossier_code = ?");
    Statement last_event(db_,
                         "SELECT at, (SELECT at FROM dossier_events WHERE dossier_code = ?1 AND "
                         "to_state = 'waiting_supplement' ORDER BY id DESC LIMIT 1) FROM dossier_events "
                         "WHERE dossier_code = ?1 ORDER BY id DESC LIMIT 1");
    Statement earlier(db_,
                      "SELECT tracking_number, dispatched_at FROM dispatches WHERE dossier_code = ? AND status = 'linked' "
                      "ORDER BY id LIMIT 1");
    Statement in_use(db_,
                     "SELECT dossier_code FROM dispatches WHERE tracking_number = ? AND status = 'linked' "
                     "AND dossier_code <> ? LIMIT 1");
    Statement insert(db_,
                     "INSERT INTO dispatches(batch_id, seq, dossier_code, tracking_number, dispatched_at, status, record) "
                     "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(batch_id, seq) DO NOTHING");
    int seq = 0;
    for (auto d : planned) {
      ++seq;
      auto& reasons = d["reasons"];
      const std::optional<std::string> tracking =
          d["tracking_number"].is_string() ? std::optional(d["tracking_number"].get<std::string>()) : std::nullopt;
      const std::optional<std::string> code =
          d["dossier_code"].is_string() ? std::optional(d["dossier_code"].get<std::string>()) : std::nullopt;
      const bool from_text = d.value("code_source", nlohmann::json()) == "text";
      if (!tracking) reasons.push_back("tracking_number_missing");
      else if (!d.value("tracking_valid", false)) reasons.push_back("tracking_number_invalid");
      if (!code) reasons.push_back("dossier_code_missing");
      else if (from_text) reasons.push_back("dossier_code_from_text_only");

      std::optional<StateChange> change;
      if (code) {
        dossier.reset();
        dossier.bind(1, *code);
        if (!dossier.step()) {
          reasons.push_back("unknown_dossier");
        } else {
          const std::string state = dossier.text(0);
          const auto record = stored_record(dossier.text(1), "dossier " + *code);
          const auto inbound = dossier.optional_text(2);
          dossier.reset();
          earlier.reset();
          earlier.bind(1, *code);
          if (tracking && inbound && *tracking == *inbound) reasons.push_back("tracking_number_is_the_inbound_one");
          if (earlier.step()) {
            reasons.push_back("already_returned:" + earlier.text(0) + "@" + earlier.text(1).substr(0, 10));
          } else if (state == "returned") {
            reasons.push_back("already_returned");
          } else if (state != "resolved") {
            reasons.push_back("not_resolved:" + state);
          }
          earlier.reset();
          if (tracking) {
            in_use.reset();
            in_use.bind(1, *tracking).bind(2, *code);
            if (in_use.step()) reasons.push_back("tracking_number_in_use:" + in_use.text(0));
            in_use.reset();
          }
          if (reasons.empty()) {
            last_event.reset();
            last_event.bind(1, *code);
            std::string last_at, pause_started;
            if (last_event.step()) {
              last_at = last_event.text(0);
              pause_started = last_event.optional_text(1).value_or("");
            }
            last_event.reset();
            const auto planned_change =
                plan_change(record, state, last_at, pause_started, "returned", d["dispatched_at"].get<std::string>(),
                            "mailroom", "result sent by post, " + *tracking + ", batch " + batch_id, calendar);
            if (const auto* refused = std::get_if<Refusal>(&planned_change))
              reasons.push_back("refused:" + refused->reason);
            else
              change = std::get<StateChange>(planned_change);
          }
        }
      }
      d["status"] = change ? "linked" : "flagged";
      if (change) {
        Statement(db_, "UPDATE dossiers SET state = 'returned' WHERE dossier_code = ?").bind(1, *code).run();
        Statement(db_,
                  "INSERT INTO dossier_events(dossier_code, from_state, to_state, at, actor, note, due_date) "
                  "VALUES(?, ?, ?, ?, ?, ?, ?)")
            .bind(1, *code).bind(2, change->from).bind(3, change->to).bind(4, change->at).bind(5, change->actor)
            .bind(6, change->note).bind(7, change->due_date).run();
      }
      insert.reset();
      insert.bind(1, batch_id).bind(2, seq).bind(3, code).bind(4, tracking)
          .bind(5, d["dispatched_at"].get<std::string>()).bind(6, d["status"].get<std::string>()).bind(7, d.dump());
      insert.run();
    }
    Statement(db_, "UPDATE pages SET state = 'committed' WHERE batch_id = ? AND state = 'processed'")
        .bind(1, batch_id).run();
    Statement(db_, "UPDATE batches SET state = 'committed', committed_at = ? WHERE batch_id = ?")
        .bind(1, now())
        .bind(2, batch_id)
        .run();
  });
}

std::vector<nlohmann::json> Store::dispatches(const std::string& batch_id) {
  Statement s(db_, "SELECT record FROM dispatches WHERE batch_id = ? ORDER BY seq");
  s.bind(1, batch_id);
  std::vector<nlohmann::json> out;
  while (s.step()) out.push_back(nlohmann::json::parse(s.text(0)));
  return out;
}

std::vector<nlohmann::json> Store::dispatches_of(const std::string& code) {
  Statement s(db_, "SELECT record FROM dispatches WHERE dossier_code = ? ORDER BY id");
  s.bind(1, code);
  std::vector<nlohmann::json> out;
  while (s.step()) out.push_back(nlohmann::json::parse(s.text(0)));
  return out;
}

std::vector<DossierRecord> Store::export_records(const std::string& since) {
  Statement s(db_,
              "SELECT record, dossier_code FROM dossiers d WHERE dossier_code IS NOT NULL AND review_state <> 'merged' "
              "AND (?1 = '' OR "
              "committed_at >= ?1 OR EXISTS (SELECT 1 FROM audit a WHERE a.object = 'dossier:' || d.dossier_code "
              "AND a.at >= ?1 AND a.action NOT IN ('open', 'search'))) ORDER BY id");
  s.bind(1, since);
  std::vector<DossierRecord> out;
  while (s.step()) out.push_back(stored_record(s.text(0), "dossier " + s.text(1)));
  return out;
}

void Store::set_page_type(const std::string& batch_id, int number, const std::optional<std::string>& type,
                          const std::string& actor) {
  if (!type) {
    Statement(db_, "DELETE FROM page_types WHERE batch_id = ? AND number = ?")
        .bind(1, batch_id)
        .bind(2, int64_t{number})
        .run();
    return;
  }
  Statement(
      db_,
      "INSERT INTO page_types(batch_id, number, type, actor, at) VALUES(?, ?, ?, ?, ?) "
      "ON CONFLICT(batch_id, number) DO UPDATE SET type = excluded.type, actor = excluded.actor, at = excluded.at")
      .bind(1, batch_id)
      .bind(2, int64_t{number})
      .bind(3, *type)
      .bind(4, actor)
      .bind(5, now())
      .run();
}

std::map<int, std::string> Store::page_types(const std::string& batch_id) {
  std::map<int, std::string> out;
  Statement s(db_, "SELECT number, type FROM page_types WHERE batch_id = ?");
  s.bind(1, batch_id);
  while (s.step()) out[static_cast<int>(s.integer(0))] = s.text(1);
  return out;
}

Result<int> Store::retry_page(const std::string& batch_id, int number, const std::string& actor) {
  std::optional<Error> refused;
  db_.transaction([&] {
    Statement state(db_, "SELECT state FROM pages WHERE batch_id = ? AND number = ?");
    state.bind(1, batch_id).bind(2, int64_t{number});
    if (!state.step() || state.text(0) != "quarantined") {
      refused = Error{"page " + std::to_string(number) + " of batch " + batch_id + " is not quarantined"};
      return;
    }
    state.reset();
    Statement(db_,
              "UPDATE pages SET state = 'pending', result = NULL, error = NULL, attempts = 0, updated_at = ? "
              "WHERE batch_id = ? AND number = ?")
        .bind(1, now())
        .bind(2, batch_id)
        .bind(3, int64_t{number})
        .run();
    Statement(db_, "DELETE FROM quarantine WHERE batch_id = ? AND page_number = ?")
        .bind(1, batch_id)
        .bind(2, int64_t{number})
        .run();
    Statement(db_, "DELETE FROM page_failures WHERE batch_id = ? AND number = ?")
        .bind(1, batch_id)
        .bind(2, int64_t{number})
        .run();
    Statement(db_, "UPDATE batches SET state = 'open' WHERE batch_id = ?").bind(1, batch_id).run();
    append_audit({0, "", actor, "retry_page", "batch:" + batch_id, "quarantined",
                  "page " + std::to_string(number) + " pending", ""});
  });
  if (refused) return *refused;
  return number;
}

std::vector<BatchRow> Store::batches(int limit, const std::string& only) {
  Statement s(db_,
              "SELECT b.batch_id, b.input, b.received_at, b.state, b.created_at, b.committed_at, b.page_count, "
              "(SELECT COUNT(*) FROM pages p WHERE p.batch_id = b.batch_id AND p.state IN ('processed', 'committed')), "
              "(SELECT COUNT(*) FROM pages p WHERE p.batch_id = b.batch_id AND p.state = 'quarantined'), "
              "(SELECT COUNT(*) FROM dossiers d WHERE d.batch_id = b.batch_id AND d.review_state <> 'merged'), "
              "(SELECT COUNT(*) FROM dossiers d WHERE d.batch_id = b.batch_id AND d.review_state = 'pending') "
              "FROM batches b WHERE ? = '' OR b.batch_id = ? ORDER BY b.created_at DESC, b.rowid DESC LIMIT ?");
  s.bind(1, only).bind(2, only).bind(3, int64_t{limit});
  std::vector<BatchRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.optional_text(5),
                   static_cast<int>(s.integer(6)), static_cast<int>(s.integer(7)), static_cast<int>(s.integer(8)),
                   static_cast<int>(s.integer(9)), static_cast<int>(s.integer(10))});
  return out;
}

std::optional<BatchRow> Store::batch_row(const std::string& batch_id) {
  auto rows = batches(1, batch_id);
  if (rows.empty() || batch_id.empty()) return std::nullopt;
  return rows.front();
}

void Store::append_audit(const AuditEntry& e) {
  Statement(db_,
            "INSERT INTO audit(at, actor, action, object, old_value, new_value, address) VALUES(?, ?, ?, ?, ?, ?, ?)")
      .bind(1, e.at.empty() ? now() : e.at)
      .bind(2, e.actor)
      .bind(3, e.action)
      .bind(4, e.object)
      .bind(5, e.old_value)
      .bind(6, e.new_value)
      .bind(7, e.address)
      .run();
}

namespace {
std::vector<AuditEntry> audit_rows(Statement& s) {
  std::vector<AuditEntry> out;
  while (s.step())
    out.push_back(
        {s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.optional_text(5), s.optional_text(6), s.text(7)});
  return out;
}
}  // namespace

std::vector<AuditEntry> Store::audit_of(const std::string& object) {
  Statement s(db_,
              "SELECT id, at, actor, action, object, old_value, new_value, address FROM audit WHERE object = ? "
              "ORDER BY id");
  s.bind(1, object);
  return audit_rows(s);
}

std::vector<AuditEntry> Store::latest_audit(int limit) {
  Statement s(db_,
              "SELECT id, at, actor, action, object, old_value, new_value, address FROM audit ORDER BY id DESC "
              "LIMIT ?");
  s.bind(1, int64_t{limit});
  return audit_rows(s);
}

}  // namespace intake
