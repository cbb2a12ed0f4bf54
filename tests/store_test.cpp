#include "pipeline/store.h"

#include <gtest/gtest.h>

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

nlohmann::json record(int first_page, const std::string& tracking) {
  return {{"schema", "intake.dossier/1"}, {"dossier_code", nullptr}, {"tracking_number", tracking},
          {"pages", {{{"number", first_page}}}}};
}

}  // namespace

TEST(Store, MigratesOnceAndReopens) {
  const auto file = fresh_db("migrate.db");
  { EXPECT_EQ(Store(file).schema_version(), 1); }
  { EXPECT_EQ(Store(file).schema_version(), 1); }
}

TEST(Store, LedgerKeepsStateAcrossReopenAndReopeningABatchChangesNothing) {
  const auto file = fresh_db("ledger.db");
  {
    Store s(file);
    s.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00", two_pages());
    s.count_attempt("b1", 1);
    s.save_page("b1", 1, "processed", {{"number", 1}}, std::nullopt);
  }
  Store s(file);
  const auto info = s.open_batch("b1", "/in", "2030-01-01T00:00:00+07:00", two_pages());
  EXPECT_EQ(info.received_at, "2026-11-27T09:30:00+07:00");  // the first reception counts
  const auto ledger = s.ledger("b1");
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].state, "processed");
  EXPECT_EQ(ledger[0].attempts, 1);
  EXPECT_EQ(ledger[1].state, "pending");
}

TEST(Store, CommittingTheSameRecordsTwiceChangesNothing) {
  const auto file = fresh_db("commit.db");
  Store s(file);
  s.open_batch("b1", "/in", "t", two_pages());
  s.save_page("b1", 1, "processed", {{"number", 1}}, std::nullopt);
  s.save_page("b1", 2, "processed", {{"number", 2}}, std::nullopt);
  const std::vector<nlohmann::json> records{record(1, "EE123456785VN"), record(2, "RR987654326VN")};
  s.commit_dossiers("b1", records);
  s.commit_dossiers("b1", records);
  EXPECT_EQ(s.dossiers("b1").size(), 2u);
  EXPECT_EQ(s.batch("b1")->state, "committed");
  EXPECT_EQ(s.ledger("b1")[0].state, "committed");
  EXPECT_EQ(s.find_dossiers("RR987654326VN").size(), 1u);
  EXPECT_EQ(s.find_dossiers("b1/2").at(0)["tracking_number"], "RR987654326VN");
  EXPECT_TRUE(s.find_dossiers("b1/3").empty());
  EXPECT_TRUE(s.find_dossiers("b1/x").empty());
}

TEST(Store, QuarantineIsRecordedOncePerReason) {
  Store s(fresh_db("quarantine.db"));
  s.open_batch("b1", "/in", "t", two_pages());
  QuarantineEntry q{"b1", 2, "b.pdf", 1, "not a readable PDF", "/q/b.pdf", ""};
  s.quarantine(q);
  s.quarantine(q);
  const auto all = s.quarantined("b1");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].reason, "not a readable PDF");
}

}  // namespace intake
