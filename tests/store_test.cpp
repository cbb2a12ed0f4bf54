#include "pipeline/dossier/store.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace intake {
namespace {

std::filesystem::path fresh_db(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "intake-store-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  return file;
}

std::vector<LedgerPage> two_pages() {
  return {{1, "a.png", 1, "h1"}, {2, "b.pdf", 1, "h2"}};
}

DossierRecord record(int first_page, const std::string& tracking,
                     const std::string& received = "2026-11-27T09:30:00+07:00") {
  DossierRecord r;
  if (!tracking.empty()) r.tracking_number = tracking;
  r.received_at = received;
  r.pages.push_back({.number = first_page});
  return r;
}

}  // namespace

TEST(Store, MigratesOnceAndReopens) {
  const auto file = fresh_db("migrate.db");
  ASSERT_GE(Store::latest_schema_version(), 4);  // batches, ledger, dossiers, ..., dispatches
  {
    Store s(file);
    EXPECT_EQ(s.schema_version(), Store::latest_schema_version());
    s.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00", two_pages());
  }
  Store reopened(file);  // a second open applies nothing again and keeps the data
  EXPECT_EQ(reopened.schema_version(), Store::latest_schema_version());
  EXPECT_EQ(reopened.ledger("b1").size(), 2u);
}

TEST(Store, AStoreFromANewerProgramIsRefusedNotDamaged) {
  const auto file = fresh_db("newer.db");
  { Store s(file); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  const auto newer = "INSERT INTO schema_migrations VALUES(" + std::to_string(Store::latest_schema_version() + 1) +
                     ", '2030-01-01T00:00:00+07:00')";
  ASSERT_EQ(sqlite3_exec(db, newer.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    Store s(file);
    FAIL() << "a store newer than the program was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this program knows"), std::string::npos) << e.what();
  }
}

TEST(Store, LedgerKeepsStateAcrossReopenAndReopeningABatchChangesNothing) {
  const auto file = fresh_db("ledger.db");
  {
    Store s(file);
    s.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00", two_pages());
    EXPECT_EQ(s.record_failure("b1", 1, "t1", "ocr", "died of signal 11"), 1);
    EXPECT_EQ(s.record_failure("b1", 1, "t1", "ocr", "died of signal 11"), 1);  // read twice: once
    EXPECT_EQ(s.record_failure("b9", 1, "t1", "ocr", "no such batch"), 0);
    s.save_page("b1", 1, "processed", {{"number", 1}}, std::nullopt);
  }
  Store s(file);
  const auto info = s.open_batch("b1", "/in", "2030-01-01T00:00:00+07:00", two_pages());
  EXPECT_EQ(info.received_at, "2026-11-27T09:30:00+07:00");  // the first reception counts
  const auto ledger = s.ledger("b1");
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].state, "processed");
  EXPECT_EQ(ledger[0].failures, 1);
  EXPECT_EQ(s.failures("b1", 1), std::vector<std::string>{"ocr: died of signal 11"});
  EXPECT_EQ(ledger[1].state, "pending");
}

TEST(Store, CommittingTheSameRecordsTwiceChangesNothing) {
  const auto file = fresh_db("commit.db");
  Store s(file);
  s.open_batch("b1", "/in", "t", two_pages());
  s.save_page("b1", 1, "processed", {{"number", 1}}, std::nullopt);
  s.save_page("b1", 2, "processed", {{"number", 2}}, std::nullopt);
  const std::vector<DossierRecord> records{record(1, "EE123456785VN"), record(2, "RR987654326VN")};
  s.commit_dossiers("b1", records);
  s.commit_dossiers("b1", records);
  EXPECT_EQ(s.dossiers("b1").size(), 2u);
  EXPECT_EQ(s.batch("b1")->state, "committed");
  EXPECT_EQ(s.ledger("b1")[0].state, "committed");
  EXPECT_EQ(s.find_dossiers("RR987654326VN").size(), 1u);
  EXPECT_EQ(s.find_dossiers("b1/2").at(0).tracking_number, "RR987654326VN");
  EXPECT_TRUE(s.find_dossiers("b1/3").empty());
  EXPECT_TRUE(s.find_dossiers("b1/x").empty());
}

TEST(Store, QuarantineIsRecordedOncePerReason) {
  Store s(fresh_db("quarantine.db"));
  s.open_batch("b1", "/in", "t", two_pages());
  QuarantineEntry q{"b1", 2, "b.pdf", 1, "not a readable PDF", "/q/b.pdf", ""};
  s.quarantine(q, {{"number", 2}});
  s.quarantine(q, {{"number", 2}});
  const auto all = s.quarantined("b1");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].reason, "not a readable PDF");
}

// The page's state and its place in the quarantine list are one write: a run killed between two
// writes left a page resumed as quarantined that no list showed.
TEST(Store, AQuarantinedPageIsSavedAndListedTogether) {
  Store s(fresh_db("quarantine-together.db"));
  s.open_batch("b1", "/in", "t", two_pages());
  s.quarantine({"b1", 2, "b.pdf", 1, "not a readable PDF", "", ""}, {{"number", 2}, {"error", "not a readable PDF"}});
  const auto page = s.ledger("b1").at(1);
  EXPECT_EQ(page.state, "quarantined");
  EXPECT_EQ(page.error.value_or(""), "not a readable PDF");
  ASSERT_TRUE(page.result);
  EXPECT_EQ(nlohmann::json::parse(*page.result)["number"], 2);
  ASSERT_EQ(s.quarantined("b1").size(), 1u);
  s.quarantine({"b1", 9, "nine.pdf", 1, "no such page", "", ""}, {{"number", 9}});
  EXPECT_EQ(s.quarantined("b1").size(), 1u) << "a page the batch does not have is not listed";
}

TEST(Store, TheTimesItWritesComeFromItsEnvClock) {
  // 15:00 on the day before Tết 2026 (17 February), Asia/Ho_Chi_Minh.
  struct BeforeTet : Env {
    std::chrono::system_clock::time_point wall_now() const override {
      return std::chrono::sys_days{std::chrono::year{2026} / 2 / 16} + std::chrono::hours{15 - 7};
    }
  } env;
  const auto file = fresh_db("clock.db");
  {
    Store s(file, env);
    s.open_batch("b1", "/in", "2026-02-16T14:00:00+07:00", two_pages());
    s.quarantine({"b1", 2, "b.pdf", 1, "not a readable PDF", "", ""}, {{"number", 2}});
    EXPECT_EQ(s.quarantined("b1").at(0).at, "2026-02-16T15:00:00+07:00");
    s.commit_dossiers("b1", {record(1, "")}, "H38");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  std::string times;
  sqlite3_exec(
      db, "SELECT created_at || ' ' || committed_at FROM batches UNION ALL SELECT committed_at FROM dossiers",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += std::string(values[0] ? values[0] : "NULL") + ";";
        return 0;
      },
      &times, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(times, "2026-02-16T15:00:00+07:00 2026-02-16T15:00:00+07:00;2026-02-16T15:00:00+07:00;");
}

TEST(Store, AStoredRecordThatNoLongerFollowsTheSchemaIsAnErrorNamingItsDossierAndField) {
  const auto file = fresh_db("bad-record.db");
  {
    Store s(file);
    s.open_batch("b1", "/in", "t", two_pages());
    s.commit_dossiers("b1", {record(1, "EE123456785VN")}, "H38");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE dossiers SET record = json_set(record, '$.tracking_valid', 'yes')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Store s(file);
  try {
    s.dossiers("b1");
    FAIL() << "a bad stored record was read";
  } catch (const StoreError& e) {
    EXPECT_STREQ(e.what(), "stored record of b1/page 1: record: 'tracking_valid' must be true or false");
  }
}

TEST(Store, DossierCodesAreGapFreePerAgencyAndDayUnderConcurrentSinks) {
  const auto file = fresh_db("codes.db");
  { Store init(file); }
  constexpr int kSinks = 4, kBatches = 5, kPerBatch = 3;
  std::vector<std::thread> sinks;
  for (int t = 0; t < kSinks; ++t)
    sinks.emplace_back([&, t] {
      Store s(file);  // each sink its own connection, as separate processes would have
      for (int b = 0; b < kBatches; ++b) {
        const std::string batch = "t" + std::to_string(t) + "b" + std::to_string(b);
        s.open_batch(batch, "/in", "2026-11-27T09:30:00+07:00", {});
        std::vector<DossierRecord> records;
        for (int i = 1; i <= kPerBatch; ++i) records.push_back(record(i, ""));
        s.commit_dossiers(batch, records, "000.00.00.H38");
      }
    });
  for (auto& t : sinks) t.join();

  Store s(file);
  std::set<std::string> codes;
  for (int t = 0; t < kSinks; ++t)
    for (int b = 0; b < kBatches; ++b)
      for (const auto& r : s.dossiers("t" + std::to_string(t) + "b" + std::to_string(b)))
        codes.insert(r.dossier_code.value());
  std::set<std::string> expected;
  for (int n = 1; n <= kSinks * kBatches * kPerBatch; ++n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "000.00.00.H38-261127-%04d", n);
    expected.insert(buf);
  }
  EXPECT_EQ(codes, expected);  // unique, and exactly 0001..N
}

TEST(Store, RecommittingKeepsCodesAndAFailedCommitGivesItsNumbersBack) {
  Store s(fresh_db("codes2.db"));
  s.open_batch("a", "/in", "t", {});
  const std::vector<DossierRecord> first{record(1, "EE123456785VN"), record(4, "")};
  s.commit_dossiers("a", first, "H38");
  s.commit_dossiers("a", first, "H38");
  ASSERT_EQ(s.dossiers("a").size(), 2u);
  EXPECT_EQ(s.dossiers("a")[0].dossier_code, "H38-261127-0001");
  EXPECT_EQ(s.dossiers("a")[1].dossier_code, "H38-261127-0002");
  EXPECT_EQ(s.find_dossiers("H38-261127-0002").size(), 1u);

  s.open_batch("b", "/in", "t", {});
  EXPECT_ANY_THROW(s.commit_dossiers("b", {record(1, ""), record(2, "", "not a date")}, "H38"));
  s.open_batch("c", "/in", "t", {});
  s.commit_dossiers("c", {record(1, ""), record(2, "", "2026-11-28T08:00:00+07:00")}, "H38");
  EXPECT_EQ(s.dossiers("c")[0].dossier_code, "H38-261127-0003");  // 0003 was not burnt by "b"
  EXPECT_EQ(s.dossiers("c")[1].dossier_code, "H38-261128-0001");  // a new day starts at 0001
}

}  // namespace intake
