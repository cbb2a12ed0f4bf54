// Records stay identical: the real `intake` binary on samples/batch-01 and on every batch of a
// generated 200-page `standard` corpus (seed 1), compared field by field with the golden records
// in tests/golden/ (made by tools/golden-records; tests/golden/README.md says how). A change that
// must not change what intake reads (a restructuring) passes; a change that is meant to change
// records rewrites the goldens with `tools/golden-records build/intake --update` and says why.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "pipeline/hash.h"
#include "pipeline/text.h"
#include "tests/support/run_intake.h"
#include "tools/intake/corpus.h"

namespace intake {
namespace {

using json = nlohmann::json;

const std::filesystem::path kSource = INTAKE_SOURCE_DIR;
const std::filesystem::path kGolden = kSource / "tests/golden";
const std::string kCorpus = "standard-200-seed1";
const std::string kReceived = "2026-11-27T09:30";  // as tools/golden-records (and `intake eval`)
const std::string kUpdateHint =
    "if this change is meant to change records: tools/golden-records build/intake --update, and commit tests/golden/ "
    "with it";

// A record without what may differ between two runs of the same inputs: nothing, today. Two
// runs of 8ae959f on a fresh store with a fixed --received wrote byte-identical records, dossier
// codes, due dates and ocr_confidence included, and `tools/golden-records --update` checks that
// again whenever it writes the goldens. A field belongs here only with the reason it varies, and
// must then be stripped in tools/golden-records too.
json comparable(json record) { return record; }

// At most `max` bytes of `s`, cut on a UTF-8 character boundary.
std::string shorten(const std::string& s, std::size_t max = 160) {
  if (s.size() <= max) return s;
  std::size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

std::string shown(const json& value) { return shorten(value.dump(-1, ' ', false, json::error_handler_t::replace)); }

std::string string_or(const json& r, const char* key, const std::string& fallback) {
  return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : fallback;
}

// "dossier 3 of 10 (000.00.00.H38-261127-0014, tracking RA292112482VN, pages 12-13)"
std::string dossier_label(std::size_t index, std::size_t count, const json& r) {
  std::ostringstream out;
  out << "dossier " << index + 1 << " of " << count << " (" << string_or(r, "dossier_code", "no code") << ", tracking "
      << string_or(r, "tracking_number", "none");
  if (r.contains("pages") && r["pages"].is_array() && !r["pages"].empty())
    out << ", pages " << r["pages"].front().value("number", 0) << "-" << r["pages"].back().value("number", 0);
  out << ")";
  return out.str();
}

// The differences between the golden records of one batch and this build's: one message per
// dossier that differs, naming the batch, the dossier and the JSON Pointer of every differing field
// with its golden and its present value. Empty when they are the same.
std::vector<std::string> record_differences(const std::string& batch, const std::vector<json>& golden,
                                            const std::vector<json>& now) {
  std::vector<std::string> out;
  if (golden.size() != now.size())
    out.push_back(batch + ": " + std::to_string(golden.size()) + " dossier(s) in the golden records, " +
                  std::to_string(now.size()) + " now");
  for (std::size_t i = 0; i < std::max(golden.size(), now.size()); ++i) {
    const std::string where = batch + ", " + dossier_label(i, golden.size(), i < golden.size() ? golden[i] : now[i]);
    if (i >= now.size()) {
      out.push_back(where + ": only in the golden records");
      continue;
    }
    if (i >= golden.size()) {
      out.push_back(where + ": only now");
      continue;
    }
    const json want = comparable(golden[i]), have = comparable(now[i]);
    const json patch = json::diff(want, have);
    if (patch.empty()) continue;
    std::string message = where + ": " + std::to_string(patch.size()) + " field(s) differ (golden -> now)";
    for (const auto& op : patch) {
      const std::string path = op["path"];
      const std::string kind = op["op"];
      // diff() gives replace, remove (golden only) and add (now only; "/-" appends to an array).
      const std::string before = kind == "add" ? "(absent)" : shown(want.at(json::json_pointer(path)));
      const std::string after = kind == "remove" ? "(absent)" : shown(op["value"]);
      message += "\n  " + path + ": " + before + " -> " + after;
    }
    out.push_back(message);
  }
  return out;
}

// Every difference, as one test failure per dossier.
void expect_same_records(const std::string& batch, const std::filesystem::path& golden_file,
                         const std::filesystem::path& now_file) {
  ASSERT_TRUE(std::filesystem::exists(golden_file)) << golden_file << ": no golden records (tools/golden-records)";
  const auto differences = record_differences(batch, testing::read_jsonl(golden_file), testing::read_jsonl(now_file));
  for (const auto& d : differences) ADD_FAILURE() << d;
  if (!differences.empty()) ADD_FAILURE() << batch << ": records in " << now_file << "; " << kUpdateHint;
}

// Runs this build's intake on one batch; true when it succeeded.
bool run_batch(const std::filesystem::path& input, const std::filesystem::path& store,
               const std::filesystem::path& out) {
  const auto exit = testing::run_intake({"run", input.string(), "--config", (kSource / "configs/default.yaml").string(),
                                         "--store", store.string(), "--out", out.string(), "--received", kReceived});
  EXPECT_EQ(exit.status, 0) << "intake run " << input << "\n" << exit.output;
  return exit.status == 0;
}

// The files of `dir` whose SHA-256 differs from the list (`sha256sum` lines, paths relative to
// `dir`), are missing from it or are not in it.
std::vector<std::string> corpus_differences(const std::filesystem::path& list, const std::filesystem::path& dir) {
  std::map<std::string, std::string> want, have;
  std::ifstream in(list);
  for (std::string line; std::getline(in, line);)
    if (line.size() > 66) want[line.substr(66)] = line.substr(0, 64);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string()[0] != '.')
      have[std::filesystem::relative(e.path(), dir).string()] = sha256_file_hex(e.path());
  std::vector<std::string> out;
  for (const auto& [file, hash] : want)
    if (!have.count(file)) out.push_back(file + ": missing");
    else if (have[file] != hash) out.push_back(file + ": different content");
  for (const auto& [file, hash] : have)
    if (!want.count(file)) out.push_back(file + ": not in " + list.string());
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(RecordsIdentical, ADifferenceNamesTheBatchTheDossierAndTheJsonPath) {
  const auto golden = testing::read_jsonl(kGolden / "batch-01.jsonl");
  ASSERT_EQ(golden.size(), 4u);
  EXPECT_TRUE(record_differences("batch-01", golden, golden).empty());

  auto now = golden;
  now[1]["pages"][2]["text"] = "changed";
  now[1]["review"]["reasons"].push_back("procedure_uncertain");
  now[3].erase("due_date");
  const auto found = record_differences("batch-01", golden, now);
  ASSERT_EQ(found.size(), 2u) << ::testing::PrintToString(found);
  EXPECT_EQ(found[0].rfind("batch-01, dossier 2 of 4 (000.00.00.H38-261127-0002, tracking RR987654326VN, pages 5-9): "
                           "2 field(s) differ",
                           0),
            0u)
      << found[0];
  EXPECT_NE(found[0].find("\n  /pages/2/text: \""), std::string::npos) << found[0];
  EXPECT_NE(found[0].find(" -> \"changed\""), std::string::npos) << found[0];
  EXPECT_NE(found[0].find("\n  /review/reasons/-: (absent) -> \"procedure_uncertain\""), std::string::npos) << found[0];
  EXPECT_NE(found[1].find("dossier 4 of 4"), std::string::npos) << found[1];
  EXPECT_NE(found[1].find("\n  /due_date: \"2026-"), std::string::npos) << found[1];
  EXPECT_NE(found[1].find(" -> (absent)"), std::string::npos) << found[1];

  now.pop_back();
  const auto fewer = record_differences("batch-01", golden, now);
  ASSERT_FALSE(fewer.empty());
  EXPECT_EQ(fewer.front(), "batch-01: 4 dossier(s) in the golden records, 3 now");
  EXPECT_NE(fewer.back().find("dossier 4 of 4 (000.00.00.H38-261127-0004"), std::string::npos) << fewer.back();
  EXPECT_NE(fewer.back().find("only in the golden records"), std::string::npos) << fewer.back();
}

TEST(RecordsIdentical, SampleBatch01) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto dir = testing::fresh_dir("records-batch-01");
  ASSERT_TRUE(run_batch(kSource / "samples/batch-01", dir / "store.db", dir / "batch-01.jsonl"));
  expect_same_records("batch-01", kGolden / "batch-01.jsonl", dir / "batch-01.jsonl");
  std::printf("batch-01: %.1f s\n", seconds_since(t0));
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

// Every batch in one store, one after another, as `intake eval` runs a corpus.
TEST(RecordsIdentical, StandardCorpus200PagesSeed1) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto dir = testing::fresh_dir("records-" + kCorpus);
  const auto corpus = dir / "corpus";
  const auto generated = run_child({INTAKE_SAMPLEGEN, "--corpus", "--profile", "standard", "--pages", "200", "--seed",
                                    "1", "--out", corpus.string()},
                                   dir / "samplegen.log");
  ASSERT_EQ(generated.status, 0) << "intake-samplegen failed, see " << dir / "samplegen.log";
  std::printf("%s: corpus generated in %.1f s\n", kCorpus.c_str(), seconds_since(t0));
  // Another corpus would change every record for a reason that is not intake's.
  const auto changed = corpus_differences(kGolden / kCorpus / "corpus.sha256", corpus);
  ASSERT_TRUE(changed.empty()) << "intake-samplegen no longer writes the corpus the golden records were made from ("
                               << changed.size() << " file(s)), e.g. " << changed.front() << "; " << kUpdateHint;

  std::vector<std::string> batches;
  for (const auto& e : std::filesystem::directory_iterator(corpus))
    if (e.is_directory()) batches.push_back(e.path().filename().string());
  std::sort(batches.begin(), batches.end(), [](const auto& a, const auto& b) { return text::natural_less(a, b); });
  std::vector<std::string> golden_batches;
  for (const auto& e : std::filesystem::directory_iterator(kGolden / kCorpus))
    if (e.path().extension() == ".jsonl") golden_batches.push_back(e.path().stem().string());
  std::sort(golden_batches.begin(), golden_batches.end(),
            [](const auto& a, const auto& b) { return text::natural_less(a, b); });
  ASSERT_EQ(batches, golden_batches);

  for (const auto& b : batches) {
    const auto t1 = std::chrono::steady_clock::now();
    if (!run_batch(corpus / b, dir / "store.db", dir / (b + ".jsonl"))) return;
    expect_same_records(kCorpus + "/" + b, kGolden / kCorpus / (b + ".jsonl"), dir / (b + ".jsonl"));
    std::printf("%s/%s: %.1f s\n", kCorpus.c_str(), b.c_str(), seconds_since(t1));
  }
  std::printf("%s: %.1f s in all\n", kCorpus.c_str(), seconds_since(t0));
  RecordProperty("seconds", std::to_string(seconds_since(t0)));
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace intake
