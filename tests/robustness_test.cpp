// Robustness, through the real binary: kill -9 at random moments with reruns on one store, a
// poison page that really kills its worker (in process and over tcp), stage processes that die
// with their coordinator. Each compares with an uninterrupted run of the same batch.
//
// INTAKE_KILLS sets how many random kills the soak test makes (default 4; `tools/soak` runs 20+).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include <dirent.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/run_intake.h"

namespace intake {
namespace {

using json = nlohmann::json;
using testing::fresh_dir;
using testing::read_jsonl;
using testing::run_intake;

const std::filesystem::path kSource = INTAKE_SOURCE_DIR;
const std::filesystem::path kBatch = kSource / "samples/batch-01";

std::vector<std::string> run_args(const std::filesystem::path& dir, const std::filesystem::path& config) {
  return {"run", kBatch.string(), "--config", config.string(), "--store", (dir / "store.db").string(),
          "--out", (dir / "records.jsonl").string(), "--received", "2026-11-27T09:30"};
}

std::filesystem::path default_config() { return kSource / "configs/default.yaml"; }


const std::vector<json>& reference_records() {
  static const std::vector<json> records = [] {
    const auto dir = fresh_dir("robust-reference");
    const auto exit = run_intake(run_args(dir, default_config()));
    EXPECT_EQ(exit.status, 0) << exit.output;
    return read_jsonl(dir / "records.jsonl");
  }();
  return records;
}

// The first column of the first row of `sql`, as text ("" when none).
std::string sqlite_text(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return out;
}
int sqlite_int(const std::filesystem::path& db, const std::string& sql) {
  const auto t = sqlite_text(db, sql);
  return t.empty() ? -1 : std::stoi(t);
}

// A tcp config with launch: process on free loopback ports.
// surnames: the extract stage's family name list.
std::filesystem::path tcp_config(const std::filesystem::path& dir,
                                 const std::filesystem::path& surnames = kSource / "models/surnames.yaml") {
  auto ep = [] { return "\"tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port()) + "\""; };
  const auto config = dir / "tcp.yaml";
  std::ofstream(config) << "transport:\n  kind: tcp\n  launch: process\n  results: " << ep()
                        << "\n  stage_timeout_s: 600\n  max_attempts: 3\ncalendar: "
                        << (kSource / "configs/calendar.yaml") << "\nstages:\n"
                        << "  preprocess: {endpoint: " << ep() << "}\n"
                        << "  barcode: {endpoint: " << ep() << "}\n"
                        << "  ocr: {endpoint: " << ep() << ", processes: 2}\n"
                        << "  classify: {endpoint: " << ep() << ", catalog: " << (kSource / "models/procedures.yaml")
                        << ", weights: " << (kSource / "models/classify.yaml") << "}\n"
                        << "  extract: {endpoint: " << ep() << ", provinces: " << (kSource / "models/provinces.yaml")
                        << ", surnames: " << surnames << "}\n";
  return config;
}

// Sets an environment variable for the children started while it lives.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Pids whose parent is `pid`.
std::set<int> children_of(int pid) {
  std::set<int> out;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      std::ifstream stat("/proc/" + name + "/stat");
      std::string line;
      std::getline(stat, line);
      const auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state;
      int ppid = 0;
      rest >> state >> ppid;
      if (ppid == pid && state != 'Z') out.insert(std::stoi(name));
    }
    ::closedir(d);
  }
  return out;
}

bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}

// What must hold of a store after the batch was run to the end, however often it was killed.
void expect_committed_exactly_once(const std::filesystem::path& dir, const std::vector<json>& reference) {
  const auto db = dir / "store.db";
  const auto records = read_jsonl(dir / "records.jsonl");
  ASSERT_EQ(records.size(), reference.size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(testing::comparable(records[i]), testing::comparable(reference[i])) << i;
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM dossiers"), static_cast<int>(reference.size()));
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM pages WHERE state <> 'committed'"), 0);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM quarantine"), 0);
  // Every page in exactly one dossier.
  std::multiset<int> pages;
  for (const auto& r : records)
    for (const auto& p : r["pages"]) pages.insert(p["number"].get<int>());
  std::multiset<int> reference_pages;
  for (const auto& r : reference)
    for (const auto& p : r["pages"]) reference_pages.insert(p["number"].get<int>());
  EXPECT_EQ(pages, reference_pages);
  // Codes unique and gap-free: 1..n on the day.
  EXPECT_EQ(sqlite_int(db, "SELECT count(DISTINCT dossier_code) FROM dossiers"), static_cast<int>(reference.size()));
  EXPECT_EQ(sqlite_int(db, "SELECT max(CAST(substr(dossier_code, -4) AS INTEGER)) FROM dossiers"),
            static_cast<int>(reference.size()));
  EXPECT_EQ(sqlite_text(db, "PRAGMA integrity_check"), "ok");
}

}  // namespace

// The reproduction, generalised: random kill -9 while the batch runs, rerun on the same
// store each time, then let it finish. Pages in flight at a kill cost no attempt.
// The ports the tcp tests listen on must not be ones the kernel may give any process's next
// outgoing connection before the child binds them (CI at c000de6 failed so), nor the same twice.
TEST(Robustness, TestPortsAreOutsideTheEphemeralRangeAndNeverRepeated) {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  std::set<int> seen;
  for (int i = 0; i < 200; ++i) {
    const int port = testing::free_tcp_port();
    ASSERT_GT(port, 0);
    EXPECT_TRUE(port < low || port > high) << port << " is in the ephemeral range " << low << "-" << high;
    EXPECT_TRUE(seen.insert(port).second) << port << " given twice";
  }
}

TEST(Robustness, RandomKillsWithRerunsLoseNothingAndDoubleNothing) {
  const int kills = std::getenv("INTAKE_KILLS") ? std::atoi(std::getenv("INTAKE_KILLS")) : 4;
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(300, 4000);
  int killed = 0, rounds = 0, pages = 0, lost = 0, doubled = 0;
  // A round: one store, kill -9 and rerun until a run gets to the end, then compare. Rounds go
  // on until `kills` runs were killed (a committed batch has nothing left to break).
  while (killed < kills) {
    const auto dir = fresh_dir("robust-kills-" + std::to_string(rounds++));
    const auto db = dir / "store.db";
    while (killed < kills) {
      const int pid = testing::start_intake(run_args(dir, default_config()), dir / ("run-" + std::to_string(killed) + ".log"));
      ASSERT_GT(pid, 0);
      const int ms = delay_ms(rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      ::kill(pid, SIGKILL);
      if (testing::wait_for(pid).signal != SIGKILL) break;  // it finished first
      ++killed;
      // Never charged for being in flight at a kill.
      ASSERT_EQ(sqlite_int(db, "SELECT count(*) FROM page_failures"), 0) << "after a kill at " << ms << " ms";
    }
    const auto last = run_intake(run_args(dir, default_config()));
    ASSERT_EQ(last.status, 0) << last.output;
    expect_committed_exactly_once(dir, reference_records());
    EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM page_failures"), 0);
    const int committed = sqlite_int(db, "SELECT count(*) FROM pages WHERE state = 'committed'");
    pages += committed;
    lost += 15 - committed;
    doubled += sqlite_int(db, "SELECT count(*) FROM dossiers") - static_cast<int>(reference_records().size());
  }
  std::printf("kills: %d runs killed -9 over %d round(s); %d pages committed; %d lost, %d dossiers doubled\n", killed,
              rounds, pages, lost, doubled);
}

// A page that kills its worker every time: each run dies with it (in process there is nothing
// else to do), each death is charged to that page alone, and after max_attempts it is
// quarantined while every other page is committed.
TEST(Robustness, APoisonPageIsQuarantinedAfterMaxAttemptsInProcess) {
  const auto dir = fresh_dir("robust-poison");
  const auto db = dir / "store.db";
  ASSERT_FALSE(reference_records().empty());  // made before the fault is set
  const ScopedEnv fault("INTAKE_FAULT", "ocr:scan_3.png:segv");
  int crashes = 0;
  testing::Exit e;
  std::string runs;  // every run's output, for a failure's message
  for (int run = 0; run < 6; ++run) {
    e = run_intake(run_args(dir, default_config()));
    runs += "--- run " + std::to_string(run + 1) + "\n" + e.output;
    if (e.status == 0) break;
    EXPECT_EQ(e.signal, SIGSEGV) << e.output;
    EXPECT_NE(e.output.find("a worker crashed on a page"), std::string::npos) << e.output;
    ++crashes;
  }
  ASSERT_EQ(e.status, 0) << runs;
  // Once seen in CI (fe2e091, under load): page 3 resumed as quarantined with no quarantine row.
  const std::string ledger =
      sqlite_text(db,
                  "SELECT group_concat(number || ' ' || state || ' ' || attempts || ' ' || ifnull(error, '-'), "
                  "char(10)) FROM pages") +
      "\nfailures:\n" +
      sqlite_text(db,
                  "SELECT group_concat(number || ' ' || token || ' ' || stage || ' ' || reason, char(10)) "
                  "FROM page_failures") +
      "\n" + runs;
  EXPECT_EQ(crashes, 3) << ledger;  // max_attempts
  EXPECT_NE(e.output.find("failed 3 times without finishing"), std::string::npos) << ledger;
  EXPECT_NE(e.output.find("worker died of SIGSEGV"), std::string::npos) << e.output;
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM quarantine"), 1) << ledger;
  EXPECT_EQ(sqlite_int(db, "SELECT page_number FROM quarantine"), 3);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM page_failures WHERE number <> 3"), 0) << ledger;
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM pages WHERE state = 'committed'"), 14);
  const auto records = read_jsonl(dir / "records.jsonl");
  ASSERT_EQ(records.size(), reference_records().size());
  EXPECT_NE(records[0]["review"]["reasons"].dump().find("page_unreadable:page=3"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "store.db.crashes") &&
               !std::filesystem::is_empty(dir / "store.db.crashes"));
}

// Over tcp the coordinator lives on: the stage process that died is restarted, the page that
// killed it is charged, the others it held are sent again uncharged; one run finishes the batch.
TEST(Robustness, APoisonPageOverTcpIsQuarantinedInOneRunAndTheRestCommitted) {
  const auto dir = fresh_dir("robust-poison-tcp");
  const auto db = dir / "store.db";
  ASSERT_FALSE(reference_records().empty());  // made before the fault is set
  const ScopedEnv fault("INTAKE_FAULT", "ocr:scan_3.png:abort");
  const auto e = run_intake(run_args(dir, tcp_config(dir)));
  ASSERT_EQ(e.status, 0) << e.output;
  EXPECT_NE(e.output.find("worker died of SIGABRT"), std::string::npos) << e.output;
  EXPECT_EQ(sqlite_int(db, "SELECT page_number FROM quarantine"), 3);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM page_failures"), 3);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM pages WHERE state = 'committed'"), 14);
}

// A stage process that cannot use its configuration (here a model file that is not there) will
// not do better when started again: the run ends with the reason instead. It once restarted the
// extract process without end, and the batch hung (CI at fe2e091, three tests to ctest's timeout).
TEST(Robustness, AStageProcessThatRefusesItsConfigurationEndsTheRunWithTheReason) {
  const auto dir = fresh_dir("robust-child-config");
  const auto e = run_intake(run_args(dir, tcp_config(dir, dir / "no-such-surnames.yaml")), std::chrono::seconds(120));
  EXPECT_FALSE(e.timed_out) << e.output;
  EXPECT_EQ(e.status, 1) << e.output;
  EXPECT_NE(e.output.find("no-such-surnames.yaml"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("stage process extract"), std::string::npos) << e.output;
  EXPECT_LE(std::count(e.output.begin(), e.output.end(), '\n'), 30) << e.output;
  EXPECT_LE(sqlite_int(dir / "store.db", "SELECT count(*) FROM pages WHERE state = 'committed'"), 0);
}

// kill -9 of the coordinator takes its stage processes with it; the rerun finishes the batch.
TEST(Robustness, StageProcessesDieWithTheirCoordinator) {
  const auto dir = fresh_dir("robust-orphans");
  const auto config = tcp_config(dir);
  const int pid = testing::start_intake(run_args(dir, config), dir / "first.log");
  ASSERT_GT(pid, 0);
  std::set<int> children;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (children.size() < 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    children = children_of(pid);
  }
  ASSERT_EQ(children.size(), 6u) << "expected 6 stage processes";
  ::kill(pid, SIGKILL);
  testing::wait_for(pid);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int child : children) EXPECT_FALSE(alive(child)) << "stage process " << child << " outlived its coordinator";
  const auto again = run_intake(run_args(dir, config));
  ASSERT_EQ(again.status, 0) << again.output;
  expect_committed_exactly_once(dir, reference_records());
}

// A scanner's copy into the hot folder that pauses longer than --settle: the partial folder is
// taken as a batch, then the rest arrives. It once became a second batch, doubling dossiers
// (5 instead of 4, a tracking number twice); now the batch is extended and its dossiers updated
// in place, with the codes they were given.
TEST(Robustness, AHotFolderCopyThatPausesDoesNotDoubleDossiers) {
  const auto dir = fresh_dir("robust-watch-pause");
  const auto hot = dir / "hot", out = dir / "out", db = dir / "store.db";
  std::filesystem::create_directories(hot / "job-1");
  const int pid = testing::start_intake({"watch", hot.string(), "--config", default_config().string(), "--store",
                                         db.string(), "--out-dir", out.string(), "--settle", "1"},
                                        dir / "watch.log");
  ASSERT_GT(pid, 0);
  std::vector<std::filesystem::path> scans;
  for (const auto& e : std::filesystem::directory_iterator(kBatch))
    if (e.path().filename().string().rfind("scan_", 0) == 0) scans.push_back(e.path());
  std::sort(scans.begin(), scans.end(), [](const auto& a, const auto& b) {
    auto n = [](const std::filesystem::path& p) { return std::stoi(p.stem().string().substr(5)); };
    return n(a) < n(b);
  });
  ASSERT_EQ(scans.size(), 13u);
  auto wait_for_commits = [&](int commits) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (sqlite_int(db, "SELECT count(*) FROM batches WHERE state = 'committed'") < 1 ||
           sqlite_int(db, "SELECT count(*) FROM dossier_events") < commits) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return true;
  };
  // The first 7 files (dossier 1 and part of dossier 2), then a pause.
  for (std::size_t i = 0; i < 7; ++i) std::filesystem::copy_file(scans[i], hot / "job-1" / scans[i].filename());
  ASSERT_TRUE(wait_for_commits(1)) << "the partial folder was not taken";
  const int first_dossiers = sqlite_int(db, "SELECT count(*) FROM dossiers");
  const std::string first_code = sqlite_text(db, "SELECT dossier_code FROM dossiers ORDER BY first_page LIMIT 1");
  // The rest of the copy.
  for (std::size_t i = 7; i < scans.size(); ++i) std::filesystem::copy_file(scans[i], hot / "job-1" / scans[i].filename());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (sqlite_int(db, "SELECT count(*) FROM pages WHERE state = 'committed' OR state = 'quarantined'") < 15 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // a second batch, if any, would be committed by now
  ::kill(pid, SIGTERM);
  EXPECT_EQ(testing::wait_for(pid).status, 0);

  EXPECT_GE(first_dossiers, 1);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM batches"), 1);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM dossiers"), static_cast<int>(reference_records().size()));
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM (SELECT tracking_number FROM dossiers WHERE tracking_number IS NOT "
                           "NULL GROUP BY tracking_number HAVING count(*) > 1)"),
            0);
  EXPECT_EQ(sqlite_text(db, "SELECT dossier_code FROM dossiers ORDER BY first_page LIMIT 1"), first_code);
  // The out file holds the batch as it is now, like an uninterrupted run.
  std::vector<json> records;
  for (const auto& e : std::filesystem::directory_iterator(out)) records = read_jsonl(e.path());
  ASSERT_EQ(records.size(), reference_records().size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["pages"], reference_records()[i]["pages"]) << i;
    EXPECT_EQ(records[i]["tracking_number"], reference_records()[i]["tracking_number"]) << i;
    EXPECT_EQ(records[i]["applicant"], reference_records()[i]["applicant"]) << i;
  }
}

// kill -9 of `intake watch` in the middle of a batch; the watcher started again finishes it once.
TEST(Robustness, AWatcherKilledMidBatchFinishesItOnceWhenStartedAgain) {
  const auto dir = fresh_dir("robust-watch-kill");
  const auto hot = dir / "hot", out = dir / "out", db = dir / "store.db";
  std::filesystem::create_directories(hot);
  std::filesystem::copy(kBatch, hot / "job-1");
  for (const char* extra : {"README.md", "truth.jsonl", "separators.json"}) std::filesystem::remove(hot / "job-1" / extra);
  auto watch = [&](const std::string& log) {
    return testing::start_intake({"watch", hot.string(), "--config", default_config().string(), "--store", db.string(),
                                  "--out-dir", out.string(), "--settle", "1"},
                                 dir / log);
  };
  const int first = watch("first.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (sqlite_int(db, "SELECT count(*) FROM pages WHERE state = 'processed'") < 5 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(first, SIGKILL);
  ASSERT_EQ(testing::wait_for(first).signal, SIGKILL);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM dossiers"), 0);
  const int second = watch("second.log");
  const auto deadline2 = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (sqlite_int(db, "SELECT count(*) FROM batches WHERE state = 'committed'") < 1 &&
         std::chrono::steady_clock::now() < deadline2)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ::kill(second, SIGTERM);
  EXPECT_EQ(testing::wait_for(second).status, 0);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM batches"), 1);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM dossiers"), static_cast<int>(reference_records().size()));
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM pages WHERE state <> 'committed'"), 0);
  EXPECT_EQ(sqlite_int(db, "SELECT count(*) FROM page_failures"), 0);
  EXPECT_EQ(sqlite_text(db, "PRAGMA integrity_check"), "ok");
}

// A full disk under an existing store once read "disk I/O error". Needs a small tmpfs of its own
// (a private mount namespace, as root); skipped where that cannot be had.
TEST(Robustness, AStoreOnAFullDiskSaysTheDiskIsFull) {
  const auto dir = fresh_dir("robust-full-disk");
  std::filesystem::create_directories(dir / "m");
  const auto script = dir / "full.sh";
  std::ofstream(script) << "set -e\nmount -t tmpfs -o size=3M tmpfs '" << (dir / "m").string() << "'\n"
                        << "'" << INTAKE_BIN << "' import '" << (kSource / "samples/import/2026-02-electronic-and-counter.jsonl").string()
                        << "' --store '" << (dir / "m/s.db").string() << "' --config '" << default_config().string()
                        << "' >/dev/null 2>&1\n"
                        << "dd if=/dev/zero of='" << (dir / "m/fill").string() << "' bs=4k >/dev/null 2>&1 || true\n"
                        << "set +e\n'" << INTAKE_BIN << "' run '" << kBatch.string() << "' --store '"
                        << (dir / "m/s.db").string() << "' --config '" << default_config().string() << "' >'"
                        << (dir / "out.txt").string() << "' 2>&1\necho \"exit=$?\" >>'" << (dir / "out.txt").string()
                        << "'\n";
  if (std::system("unshare -m true >/dev/null 2>&1") != 0) GTEST_SKIP() << "no private mount namespace here (not root?)";
  ASSERT_EQ(std::system(("unshare -m sh '" + script.string() + "'").c_str()), 0);
  std::ifstream in(dir / "out.txt");
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(out.find("the disk is full"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
}

}  // namespace intake
