// End-to-end: the real `intake` binary on the committed sample batch, checked field by field
// against its ground truth; a kill -9 in the middle of a batch; stage processes over tcp; and
// a batch full of bad files.
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ZXing/ReadBarcode.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "tests/support/page_render.h"
#include "tests/support/run_intake.h"

namespace intake {
namespace {

using json = nlohmann::json;
using testing::fresh_dir;
using testing::read_jsonl;
using testing::run_intake;

const std::filesystem::path kSource = INTAKE_SOURCE_DIR;
const std::filesystem::path kBatch = kSource / "samples/batch-01";
const std::string kReceived = "2026-11-27T09:30";

std::vector<std::string> run_args(const std::filesystem::path& dir, const std::string& config = "configs/default.yaml") {
  return {"run", kBatch.string(), "--config", (kSource / config).string(), "--store", (dir / "store.db").string(),
          "--out", (dir / "records.jsonl").string(), "--received", kReceived};
}

// The records of one clean in-process run, shared by the tests that compare against it.
const std::vector<json>& reference_records() {
  static const std::vector<json> records = [] {
    const auto dir = fresh_dir("reference");
    const auto exit = run_intake(run_args(dir));
    EXPECT_EQ(exit.status, 0) << exit.output;
    return read_jsonl(dir / "records.jsonl");
  }();
  return records;
}

std::string shell_output(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

// "Format:text" of every symbol ZXing reads on a clean rendered page (QR, then linear ones).
std::set<std::string> decode_all(const std::filesystem::path& png) {
  const cv::Mat grey = cv::imread(png.string(), cv::IMREAD_GRAYSCALE);
  std::set<std::string> out;
  if (grey.empty()) return out;
  const ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum, static_cast<int>(grey.step));
  for (const auto format : {ZXing::BarcodeFormat::QRCode, ZXing::BarcodeFormat::Code128}) {
    ZXing::DecodeHints hints;
    hints.setFormats(format);
    const auto r = ZXing::ReadBarcode(view, hints);
    if (r.isValid()) out.insert(std::string(ZXing::ToString(r.format())) + ":" + r.text());
  }
  return out;
}

// "2026-01-DD"
std::string fmt_day(int d) { return std::string("2026-01-") + (d < 10 ? "0" : "") + std::to_string(d); }

int sqlite_count(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return -1;
  }
  sqlite3_busy_timeout(h, 2000);
  sqlite3_stmt* s = nullptr;
  int n = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}



}  // namespace

TEST(EndToEnd, SampleBatchMatchesGroundTruth) {
  const auto truth = read_jsonl(kBatch / "truth.jsonl");
  const auto& got = reference_records();
  ASSERT_EQ(got.size(), truth.size());
  double cer_sum = 0;
  int cer_pages = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const json& t = truth[i];
    const json& g = got[i];
    SCOPED_TRACE("dossier " + std::to_string(i + 1));
    EXPECT_EQ(g["schema"], "intake.dossier/1");
    EXPECT_EQ(g["channel"], "postal");
    EXPECT_EQ(g["received_at"], "2026-11-27T09:30:00+07:00");
    EXPECT_EQ(g["tracking_number"], t["tracking_number"]);
    EXPECT_EQ(g["tracking_valid"], t["tracking_valid"]);
    EXPECT_EQ(g["sender"], t["sender"]);
    EXPECT_EQ(g["applicant"], t["applicant"]);
    EXPECT_EQ(g["procedure"]["id"], t["procedure"]["id"]);
    EXPECT_EQ(g["procedure"]["code"], t["procedure"]["code"]);
    EXPECT_EQ(g["procedure"]["name"], t["procedure"]["name"]);
    EXPECT_EQ(g["department"], t["department"]);
    EXPECT_EQ(g["documents"], t["documents"]);
    EXPECT_EQ(g["review"]["required"], t["review"]["required"]) << g["review"].dump();
    ASSERT_EQ(g["pages"].size(), t["pages"].size());
    for (std::size_t k = 0; k < t["pages"].size(); ++k) {
      const json& tp = t["pages"][k];
      const json& gp = g["pages"][k];
      SCOPED_TRACE("page " + std::to_string(tp["number"].get<int>()));
      EXPECT_EQ(gp["number"], tp["number"]);
      EXPECT_EQ(gp["source_file"], tp["source_file"]);
      EXPECT_EQ(gp["source_page"], tp["source_page"]);
      EXPECT_EQ(gp["type"], tp["type"]);
      EXPECT_EQ(gp["rotation"], tp["rotation"]);
      EXPECT_EQ(gp["blank"], tp["blank"]);
      EXPECT_EQ(gp["barcodes"], tp["barcodes"]);
      if (tp["type"] == "application_form") {
        // CER counts reading-order differences in tables as errors; word recall does not.
        cer_sum += testing::cer(tp["text"].get<std::string>(), gp["text"].get<std::string>());
        ++cer_pages;
        EXPECT_GE(testing::word_recall(tp["text"].get<std::string>(), gp["text"].get<std::string>()), 0.9)
            << gp["text"].get<std::string>();
      }
    }
  }
  ASSERT_GT(cer_pages, 0);
  EXPECT_LT(cer_sum / cer_pages, 0.06);
  RecordProperty("form_cer_percent", std::to_string(100 * cer_sum / cer_pages));
  std::printf("mean CER on application forms: %.2f%% over %d pages\n", 100 * cer_sum / cer_pages, cer_pages);
}

TEST(EndToEnd, RecordsCarryDossierCodesAndDueDatesAcrossTetAndTheCutOff) {
  // Friday 13 Feb 2026, the last working day before the Tết break; at 15:00 the clock starts on
  // Monday 23 Feb.
  const auto dir = fresh_dir("deadlines");
  auto args = run_args(dir);
  args.back() = "2026-02-13T15:00";
  const auto exit = run_intake(args);
  ASSERT_EQ(exit.status, 0) << exit.output;
  const auto records = read_jsonl(dir / "records.jsonl");
  ASSERT_EQ(records.size(), 4u);
  const std::map<std::string, std::string> due{{"birth_registration", "2026-02-24"},
                                               {"marriage_registration", "2026-03-02"},
                                               {"business_household_registration", "2026-02-26"},
                                               {"death_registration", "2026-02-24"}};
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["dossier_code"], "000.00.00.H38-260213-000" + std::to_string(i + 1));
    EXPECT_EQ(records[i]["due_date"], due.at(records[i]["procedure"]["id"].get<std::string>())) << records[i]["procedure"];
  }
  // The codes stay with their dossiers when the batch runs again, and find them.
  args.insert(args.end(), {"--receipts", (dir / "receipts").string()});
  ASSERT_EQ(run_intake(args).status, 0);
  EXPECT_EQ(read_jsonl(dir / "records.jsonl"), records);
  const auto shown = run_intake({"show", "000.00.00.H38-260213-0002", "--store", (dir / "store.db").string()});
  EXPECT_NE(shown.output.find("\"due_date\": \"2026-03-02\""), std::string::npos) << shown.output;

  // One receipt slip per dossier; the marriage registration's, read back as text and as a scan.
  for (int i = 1; i <= 4; ++i)
    EXPECT_TRUE(std::filesystem::exists(dir / "receipts" / ("000.00.00.H38-260213-000" + std::to_string(i) + ".pdf")));
  const auto slip = dir / "slip.pdf";
  const auto written = run_intake({"receipt", "000.00.00.H38-260213-0002", "--out", slip.string(), "--store",
                                   (dir / "store.db").string(), "--config", (kSource / "configs/default.yaml").string()});
  ASSERT_EQ(written.status, 0) << written.output;
  const std::string text = squeeze(shell_output("pdftotext -enc UTF-8 " + slip.string() + " -"));
  for (const std::string expected :
       {"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mã hồ sơ: 000.00.00.H38-260213-0002", "UBND xã Tân Phú",
        "Ông/bà: Lê Thị Hoa", "080195004321", "45 đường Trần Phú, phường 4, thành phố Tân An, tỉnh Long An",
        "Đăng ký kết hôn (mã thủ tục 1.000894)", "Tờ khai, đơn đề nghị: 2 trang", "01 bộ, 3 trang",
        "5 ngày làm việc", "15 giờ 00 phút, ngày 13 tháng 02 năm 2026", "số hiệu bưu gửi RR987654326VN",
        "Thời gian trả kết quả giải quyết hồ sơ: ngày 02 tháng 03 năm 2026", "qua dịch vụ bưu chính công ích"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n--- in ---\n" << text;
  ASSERT_EQ(std::system(("pdftoppm -r 200 -gray -png -singlefile " + slip.string() + " " + (dir / "slip").string()).c_str()), 0);
  const auto decoded = decode_all(dir / "slip.png");
  EXPECT_EQ(decoded.count("QRCode:000.00.00.H38-260213-0002"), 1u) << ::testing::PrintToString(decoded);
  EXPECT_EQ(decoded.count("Code128:000.00.00.H38-260213-0002"), 1u) << ::testing::PrintToString(decoded);
  EXPECT_EQ(run_intake({"receipt", "000.00.00.H38-260213-0099", "--store", (dir / "store.db").string()}).status, 1);
}

TEST(EndToEnd, DispatchLinksOutboundEnvelopesToResolvedDossiersAndFlagsTheRest) {
  const auto dir = fresh_dir("dispatch");
  auto args = run_args(dir);
  args.back() = "2026-02-13T15:00";
  ASSERT_EQ(run_intake(args).status, 0);
  const std::string store = (dir / "store.db").string(), config = (kSource / "configs/default.yaml").string();
  const std::string birth = "000.00.00.H38-260213-0001", marriage = "000.00.00.H38-260213-0002";
  for (const std::string state : {"assigned", "in_progress", "resolved"})
    ASSERT_EQ(run_intake({"set-status", birth, state, "--at", "2026-02-20T09:00", "--store", store, "--config", config}).status, 0);

  const auto dispatch_args = [&](const std::filesystem::path& input, const std::string& out) {
    return std::vector<std::string>{"dispatch", input.string(), "--at", "2026-02-23T10:00", "--store", store,
                                    "--config", config, "--out", (dir / out).string()};
  };
  const auto sample = kSource / "samples/dispatch-01";
  const auto first = run_intake(dispatch_args(sample, "d1.jsonl"));
  ASSERT_EQ(first.status, 0) << first.output;
  const auto d = read_jsonl(dir / "d1.jsonl");
  std::ifstream truth_file(sample / "truth.json");
  const auto truth = json::parse(truth_file);
  ASSERT_EQ(d.size(), truth.size()) << first.output;
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i]["pages"], truth[i]["pages"]) << i;
    EXPECT_EQ(d[i]["tracking_number"], truth[i]["tracking_number"]) << i;
    EXPECT_EQ(d[i]["dossier_code"], truth[i]["dossier_code"]) << i;
    EXPECT_EQ(d[i]["code_source"], "barcode") << i;
  }
  // The result scanned without its envelope, the resolved birth registration, and the marriage
  // registration that is not resolved yet.
  EXPECT_EQ(d[0]["status"], "flagged");
  EXPECT_NE(d[0]["reasons"].dump().find("tracking_number_missing"), std::string::npos) << d[0];
  EXPECT_EQ(d[1]["status"], "linked") << d[1];
  EXPECT_EQ(d[2]["status"], "flagged");
  EXPECT_NE(d[2]["reasons"].dump().find("not_resolved:received"), std::string::npos) << d[2];

  const auto status = run_intake({"status", birth, "--store", store});
  EXPECT_NE(status.output.find("state          returned"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("dispatch       RR202600011VN 2026-02-23T10:00:00+07:00 linked"), std::string::npos)
      << status.output;
  const auto found = run_intake({"find", "RR202600011VN", "--store", store});
  EXPECT_EQ(found.status, 0);
  EXPECT_NE(found.output.find(birth + "  returned"), std::string::npos) << found.output;
  EXPECT_EQ(run_intake({"status", marriage, "--store", store}).output.find("state          received") == std::string::npos,
            false);

  // The same batch again changes nothing; the same envelope in another batch is already returned.
  ASSERT_EQ(run_intake(dispatch_args(sample, "d1-again.jsonl")).status, 0);
  EXPECT_EQ(read_jsonl(dir / "d1-again.jsonl"), d);
  const auto again = dir / "again";
  std::filesystem::create_directories(again);
  std::filesystem::copy_file(sample / "scan_2.png", again / "a.png");
  std::filesystem::copy_file(sample / "scan_3.png", again / "b.png");
  ASSERT_EQ(run_intake(dispatch_args(again, "d2.jsonl")).status, 0);
  const auto d2 = read_jsonl(dir / "d2.jsonl");
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0]["status"], "flagged");
  EXPECT_NE(d2[0]["reasons"].dump().find("already_returned:RR202600011VN@2026-02-23"), std::string::npos) << d2[0];
  EXPECT_EQ(sqlite_count(dir / "store.db", "SELECT count(*) FROM dossier_events WHERE to_state = 'returned'"), 1);
  EXPECT_EQ(sqlite_count(dir / "store.db", "SELECT count(*) FROM dossiers"), 4);  // outbound mail makes no dossiers
}

TEST(EndToEnd, LifecycleRefusesIllegalChangesAndASupplementWaitMovesTheDueDate) {
  const auto dir = fresh_dir("lifecycle");
  auto args = run_args(dir);
  args.back() = "2026-11-27T09:30";  // Friday: R = 27 Nov
  ASSERT_EQ(run_intake(args).status, 0);
  const std::string store = (dir / "store.db").string();
  const std::string code = "000.00.00.H38-261127-0002";  // the marriage registration, 5 working days
  auto set = [&](const std::string& state, const std::string& at) {
    return run_intake({"set-status", code, state, "--actor", "hoa.nt", "--at", at, "--store", store,
                       "--config", (kSource / "configs/default.yaml").string()});
  };
  const auto refused = set("resolved", "2026-11-27T10:00");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("cannot go from received to resolved"), std::string::npos) << refused.output;
  EXPECT_EQ(set("assigned", "2026-11-27T10:00").status, 0);
  EXPECT_EQ(set("in_progress", "2026-11-30T08:00").status, 0);
  EXPECT_EQ(set("waiting_supplement", "2026-11-30T09:00").status, 0);  // Monday
  // Back on Thursday 3 Dec: Tue, Wed, Thu = 3 working days paused, due 4 Dec -> 9 Dec.
  const auto resumed = set("in_progress", "2026-12-03T14:00");
  EXPECT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("due 2026-12-09"), std::string::npos) << resumed.output;
  EXPECT_EQ(set("in_progress", "2026-12-01T08:00").status, 1);  // not a legal change, nor in order
  const auto status = run_intake({"status", code, "--store", store});
  EXPECT_EQ(status.status, 0);
  EXPECT_NE(status.output.find("2026-12-09 (moved from 2026-12-04"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("hoa.nt"), std::string::npos) << status.output;
  const auto shown = run_intake({"show", code, "--store", store});
  EXPECT_NE(shown.output.find("\"due_date\": \"2026-12-09\""), std::string::npos) << shown.output;
  const auto found = run_intake({"find", "le thi hoa", "--store", store});
  EXPECT_EQ(found.status, 0);
  EXPECT_NE(found.output.find(code + "  in_progress"), std::string::npos) << found.output;
  EXPECT_EQ(run_intake({"status", "000.00.00.H38-261127-0099", "--store", store}).status, 1);
}

TEST(EndToEnd, ImportedChannelsAndTheirHistoriesGiveThePublishedFigures) {
  // A month as a centre publishes it: 4,346 dossiers, 93.7% electronic, all early or on time.
  const auto dir = fresh_dir("report");
  const std::string store = (dir / "store.db").string(), config = (kSource / "configs/default.yaml").string();
  {
    std::ofstream out(dir / "january.jsonl");
    for (int i = 0; i < 4346; ++i) {
      const std::string channel = i < 4072 ? "electronic" : i < 4272 ? "postal" : "counter";
      const std::string day = fmt_day(5 + i % 20);
      out << json{{"channel", channel},
                  {"received_at", day + "T09:00"},
                  {"procedure", {{"id", i % 3 ? "birth_registration" : "marriage_registration"}}},
                  {"history", {{{"to", "assigned"}, {"at", day + "T09:10"}},
                               {{"to", "in_progress"}, {"at", day + "T09:20"}},
                               {{"to", "resolved"}, {"at", day + "T16:00"}, {"actor", "lan.tt"}}}}}
                 .dump()
          << '\n';
    }
  }
  const auto imported = run_intake({"import", (dir / "january.jsonl").string(), "--store", store, "--config", config});
  ASSERT_EQ(imported.status, 0) << imported.output;
  EXPECT_NE(imported.output.find("imported 4346 dossier(s)"), std::string::npos) << imported.output;
  const auto again = run_intake({"import", (dir / "january.jsonl").string(), "--store", store, "--config", config});
  EXPECT_NE(again.output.find("nothing changed"), std::string::npos) << again.output;
  EXPECT_EQ(sqlite_count(dir / "store.db", "SELECT count(*) FROM dossiers"), 4346);
  EXPECT_EQ(sqlite_count(dir / "store.db", "SELECT count(DISTINCT dossier_code) FROM dossiers"), 4346);

  const auto text = run_intake({"report", "--from", "2026-01-01", "--to", "2026-01-31", "--store", store, "--config", config});
  ASSERT_EQ(text.status, 0) << text.output;
  const std::string flat = squeeze(text.output);
  for (const std::string expected : {"Received 4,346", "electronic 4,072 93.7%", "postal 200 4.6%", "counter 74 1.7%",
                                     "Resolved 4,346: early 4,346, on time 0, late 0", "Early or on time 100.0%",
                                     "Open 0: overdue 0"})
    EXPECT_NE(flat.find(expected), std::string::npos) << expected << "\n" << text.output;
  const auto csv = run_intake({"report", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv", "--out",
                               (dir / "r.csv").string(), "--store", store, "--config", config});
  ASSERT_EQ(csv.status, 0) << csv.output;
  std::ifstream csv_file(dir / "r.csv");
  const std::string csv_text((std::istreambuf_iterator<char>(csv_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(csv_text.rfind("section,key,count,share\n", 0), 0u);
  EXPECT_NE(csv_text.find("channel,electronic,4072,0.9370"), std::string::npos) << csv_text;
  EXPECT_NE(csv_text.find("resolved,early_or_on_time,4346,1.0000"), std::string::npos) << csv_text;
  ASSERT_EQ(run_intake({"report", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "html", "--out",
                        (dir / "r.html").string(), "--store", store, "--config", config}).status, 0);
  std::ifstream html_file(dir / "r.html");
  const std::string html((std::istreambuf_iterator<char>(html_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("100.0%</span>resolved early or on time"), std::string::npos);

  // All or nothing: bad lines are named and nothing of the file is imported.
  {
    std::ofstream bad(dir / "bad.jsonl");
    bad << R"({"channel":"electronic","received_at":"2026-02-02T08:00","procedure":{"id":"birth_registration"}})" << '\n'
        << R"({"channel":"fax","received_at":"2026-02-02T08:00","procedure":{"id":"birth_registration"}})" << '\n'
        << R"({"channel":"counter","received_at":"2026-02-02T08:00","procedure":{"id":"passport"}})" << '\n'
        << "{not json\n";
  }
  const auto rejected = run_intake({"import", (dir / "bad.jsonl").string(), "--store", store, "--config", config});
  EXPECT_EQ(rejected.status, 1);
  for (const std::string expected : {"bad.jsonl:2: channel must be", "bad.jsonl:3: procedure.id 'passport'", "bad.jsonl:4: not JSON"})
    EXPECT_NE(rejected.output.find(expected), std::string::npos) << expected << "\n" << rejected.output;
  {
    std::ofstream illegal(dir / "illegal.jsonl");
    illegal << R"({"channel":"counter","received_at":"2026-02-02T08:00","procedure":{"id":"birth_registration"}})" << '\n'
            << R"({"channel":"counter","received_at":"2026-02-02T08:00","procedure":{"id":"birth_registration"},)"
            << R"("history":[{"to":"resolved","at":"2026-02-02T09:00"}]})" << '\n';
  }
  const auto refused = run_intake({"import", (dir / "illegal.jsonl").string(), "--store", store, "--config", config});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("record 2"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("cannot go from received to resolved"), std::string::npos) << refused.output;
  EXPECT_EQ(sqlite_count(dir / "store.db", "SELECT count(*) FROM dossiers"), 4346);
}

TEST(EndToEnd, ShowFindsDossiersByTrackingNumber) {
  const auto dir = fresh_dir("show");
  ASSERT_EQ(run_intake(run_args(dir)).status, 0);
  const auto shown = run_intake({"show", "EE123456785VN", "--store", (dir / "store.db").string()});
  EXPECT_EQ(shown.status, 0);
  EXPECT_NE(shown.output.find("\"tracking_number\": \"EE123456785VN\""), std::string::npos) << shown.output;
  EXPECT_EQ(run_intake({"show", "XX000000000VN", "--store", (dir / "store.db").string()}).status, 1);
  // Why: the dossier starts at its envelope, typed by its label and its sender block.
  const auto why = run_intake({"show", "EE123456785VN", "--why", "--store", (dir / "store.db").string()});
  EXPECT_EQ(why.status, 0);
  const auto at = why.output.find("\"schema\": \"intake.explanation/1\"");
  ASSERT_NE(at, std::string::npos) << why.output;
  const auto explained = why.output.substr(why.output.rfind("\n{", at) + 1);
  EXPECT_NE(explained.find("\"signal\": \"envelope.s10_barcode\""), std::string::npos) << explained;
  EXPECT_NE(explained.find("\"signal\": \"envelope.sender_label\""), std::string::npos) << explained;
  EXPECT_TRUE(explained.find("\"reason\": \"envelope\"") != std::string::npos ||
              explained.find("\"reason\": \"batch_start\"") != std::string::npos)
      << explained;
}

TEST(EndToEnd, KilledMidBatchResumesWithNothingLostOrDoubled) {
  const auto dir = fresh_dir("kill");
  const auto db = dir / "store.db";
  const int pid = testing::start_intake(run_args(dir), dir / "first.log");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (sqlite_count(db, "SELECT count(*) FROM pages WHERE state = 'processed'") < 4 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(pid, SIGKILL);
  const auto killed = testing::wait_for(pid);
  ASSERT_EQ(killed.signal, SIGKILL) << "the run finished before it could be killed";
  const int processed_before = sqlite_count(db, "SELECT count(*) FROM pages WHERE state = 'processed'");
  EXPECT_GE(processed_before, 4);
  EXPECT_EQ(sqlite_count(db, "SELECT count(*) FROM dossiers"), 0);

  const auto resumed = run_intake(run_args(dir));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed from the ledger"), std::string::npos);
  const auto records = read_jsonl(dir / "records.jsonl");
  const auto& reference = reference_records();
  ASSERT_EQ(records.size(), reference.size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(testing::comparable(records[i]), testing::comparable(reference[i]));
  EXPECT_EQ(sqlite_count(db, "SELECT count(*) FROM dossiers"), static_cast<int>(reference.size()));
  EXPECT_EQ(sqlite_count(db, "SELECT count(*) FROM pages WHERE state NOT IN ('committed', 'quarantined')"), 0);

  // Once more: the batch is committed, nothing is redone or doubled.
  const auto again = run_intake(run_args(dir));
  ASSERT_EQ(again.status, 0);
  EXPECT_NE(again.output.find("already committed"), std::string::npos) << again.output;
  EXPECT_EQ(sqlite_count(db, "SELECT count(*) FROM dossiers"), static_cast<int>(reference.size()));
  EXPECT_EQ(read_jsonl(dir / "records.jsonl"), records);
}

TEST(EndToEnd, SigtermDrainsThePagesInFlightAndTheRerunFinishes) {
  const auto dir = fresh_dir("sigterm");
  const auto db = dir / "store.db";
  const int pid = testing::start_intake(run_args(dir), dir / "first.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  // Late in the batch, when every remaining page is already in flight: draining them must still
  // end as an interrupted run (exit 130, nothing committed), not as a finished one.
  while (sqlite_count(db, "SELECT count(*) FROM pages WHERE state = 'processed'") < 10 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(pid, SIGTERM);
  const auto stopped = testing::wait_for(pid);
  ASSERT_EQ(stopped.status, 130) << "the run finished before SIGTERM, or did not stop cleanly";
  std::ifstream log(dir / "first.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("INTERRUPTED"), std::string::npos) << text;
  // Drained: nothing is left half-done, and the processed pages were kept.
  EXPECT_EQ(sqlite_count(db, "SELECT count(*) FROM dossiers"), 0);
  EXPECT_GE(sqlite_count(db, "SELECT count(*) FROM pages WHERE state = 'processed'"), 2);
  const auto resumed = run_intake(run_args(dir));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  const auto records = read_jsonl(dir / "records.jsonl");
  ASSERT_EQ(records.size(), reference_records().size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(testing::comparable(records[i]), testing::comparable(reference_records()[i]));
}

TEST(EndToEnd, StageProcessesOverTcpGiveTheSameRecords) {
  const auto dir = fresh_dir("tcp");
  std::map<std::string, int> ports;
  for (const char* s : {"results", "preprocess", "barcode", "ocr", "classify", "extract"}) ports[s] = testing::free_tcp_port();
  auto ep = [&](const std::string& s) { return "\"tcp://127.0.0.1:" + std::to_string(ports[s]) + "\""; };
  const auto config = dir / "tcp.yaml";
  ASSERT_EQ(run_intake({"keys", "generate", (dir / "keys").string()}).status, 0);  // external workers need keys
  std::ofstream(config) << "transport:\n  kind: tcp\n  launch: external\n  keys: " << (dir / "keys").string()
                        << "\n  results: " << ep("results") << "\nstages:\n"
                        << "  preprocess: {endpoint: " << ep("preprocess") << "}\n"
                        << "  barcode: {endpoint: " << ep("barcode") << "}\n"
                        << "  ocr: {endpoint: " << ep("ocr") << "}\n"
                        << "  classify: {endpoint: " << ep("classify")
                        << ", catalog: " << (kSource / "models/procedures.yaml").string()
                        << ", weights: " << (kSource / "models/classify.yaml").string() << "}\n"
                        << "  extract: {endpoint: " << ep("extract")
                        << ", provinces: " << (kSource / "models/provinces.yaml").string()
                        << ", surnames: " << (kSource / "models/surnames.yaml").string() << "}\n";
  // Two ocr processes share that stage's load.
  std::vector<int> workers;
  for (const char* s : {"preprocess", "barcode", "ocr", "ocr", "classify", "extract"})
    workers.push_back(testing::start_intake({"stage", s, "--config", config.string()},
                                            dir / (std::string(s) + "-" + std::to_string(workers.size()) + ".log")));
  auto args = run_args(dir);
  args[3] = config.string();
  const auto exit = run_intake(args);
  for (int pid : workers) ::kill(pid, SIGTERM);
  for (int pid : workers) EXPECT_EQ(testing::wait_for(pid).status, 0);
  ASSERT_EQ(exit.status, 0) << exit.output;
  const auto records = read_jsonl(dir / "records.jsonl");
  const auto& reference = reference_records();
  ASSERT_EQ(records.size(), reference.size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(testing::comparable(records[i]), testing::comparable(reference[i]));
  // Both ocr processes did work.
  for (int i : {2, 3}) {
    std::ifstream log(dir / ("ocr-" + std::to_string(i) + ".log"));
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("stage ocr"), std::string::npos) << text;
  }
}

TEST(EndToEnd, BadFilesAreQuarantinedWithTheirReasonAndTheBatchGoesOn) {
  const auto dir = fresh_dir("bad");
  const auto in = dir / "in";
  std::filesystem::create_directories(in);
  cv::imwrite((in / "scan_1.png").string(),
              testing::render_page({"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI ĐĂNG KÝ KHAI TỬ",
                                    "Họ, chữ đệm, tên người yêu cầu: Võ Thị Mai", "Số định danh cá nhân: 080070001357"}));
  std::vector<uchar> png;
  cv::imencode(".png", testing::render_page({"Trang hỏng"}), png);
  std::ofstream(in / "scan_2.png", std::ios::binary).write(reinterpret_cast<const char*>(png.data()), 400);
  std::ofstream(in / "scan_3.pdf") << "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF";
  std::ofstream(in / "scan_4.jpg") << "this is not a picture";
  std::ofstream(in / "scan_5.tif");
  std::ofstream(in / "notes.txt") << "not a scan";
  const auto exit = run_intake({"run", in.string(), "--config", (kSource / "configs/default.yaml").string(), "--store",
                                (dir / "store.db").string(), "--out", (dir / "r.jsonl").string()});
  ASSERT_EQ(exit.status, 0) << exit.output;
  EXPECT_NE(exit.output.find("quarantined    4"), std::string::npos) << exit.output;
  for (const char* f : {"scan_2.png", "scan_3.pdf", "scan_4.jpg", "scan_5.tif"}) {
    EXPECT_NE(exit.output.find(f), std::string::npos) << f << "\n" << exit.output;
    EXPECT_FALSE(std::filesystem::is_empty(dir / "quarantine")) << f;
  }
  EXPECT_NE(exit.output.find("skipped        notes.txt"), std::string::npos);
  const auto records = read_jsonl(dir / "r.jsonl");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["pages"].size(), 5u);  // the bad pages stay in scan order, flagged
  EXPECT_EQ(records[0]["procedure"]["id"], "death_registration");
  EXPECT_EQ(records[0]["applicant"]["id_number"], "080070001357");
  EXPECT_NE(records[0]["review"]["reasons"].dump().find("page_unreadable:page=2"), std::string::npos);
}

TEST(EndToEnd, UsageAndConfigErrorsExitWithOneAndSayWhy) {
  const auto bad = run_intake({"run", "/nonexistent/batch", "--config", (kSource / "configs/default.yaml").string(),
                               "--store", (fresh_dir("usage") / "s.db").string()});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("/nonexistent/batch"), std::string::npos) << bad.output;
  const auto dir = fresh_dir("badconfig");
  std::ofstream(dir / "c.yaml") << "stages:\n  ocr:\n    wrokers: 2\n";
  const auto cfg = run_intake({"run", kBatch.string(), "--config", (dir / "c.yaml").string()});
  EXPECT_EQ(cfg.status, 1);
  EXPECT_NE(cfg.output.find("stages.ocr.wrokers"), std::string::npos) << cfg.output;
  EXPECT_EQ(run_intake({"run", kBatch.string(), "--received", "yesterday"}).status, 1);
}

}  // namespace intake

namespace intake {

TEST(EndToEnd, WatchTakesABatchOnceItStopsChanging) {
  const auto dir = fresh_dir("watch");
  const auto hot = dir / "hot";
  const auto out = dir / "out";
  std::filesystem::create_directories(hot);
  // No --config, and not run from the source tree: the config beside the program is found.
  const int pid = testing::start_intake({"watch", hot.string(), "--store", (dir / "store.db").string(), "--out-dir",
                                         out.string(), "--settle", "1"},
                                        dir / "watch.log");
  const auto staging = dir / "staging";
  std::filesystem::create_directories(staging);
  cv::imwrite((staging / "scan_1.png").string(),
              testing::render_page({"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
                                    "Tôi là (ghi họ tên bằng chữ in hoa): TRẦN VĂN BÌNH", "Vốn kinh doanh: 50.000.000 đồng"}));
  std::filesystem::rename(staging, hot / "job-1");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  std::vector<json> records;
  while (records.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (std::filesystem::exists(out))
      for (const auto& e : std::filesystem::directory_iterator(out))
        if (e.path().extension() == ".jsonl") records = read_jsonl(e.path());
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(testing::wait_for(pid).status, 0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["procedure"]["id"], "business_household_registration");
  EXPECT_EQ(records[0]["applicant"]["full_name"], "Trần Văn Bình");
}

}  // namespace intake

namespace intake {

// libgomp reads OMP_THREAD_LIMIT before main(): intake must restart itself with it set, or each
// Tesseract engine fans out over every core and the batch runs about three times slower.
TEST(EndToEnd, RunsWithOneOpenMpThreadPerEngineEvenWhenTheCallerDidNotSetIt) {
  const auto dir = fresh_dir("omp");
  const std::string saved = std::getenv("OMP_THREAD_LIMIT") ? std::getenv("OMP_THREAD_LIMIT") : "";
  unsetenv("OMP_THREAD_LIMIT");
  const int pid = testing::start_intake({"watch", dir.string(), "--store", (dir / "s.db").string()}, dir / "log");
  if (!saved.empty()) setenv("OMP_THREAD_LIMIT", saved.c_str(), 1);
  std::string environ_text;
  for (int i = 0; i < 50 && environ_text.find("OMP_THREAD_LIMIT=1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream env("/proc/" + std::to_string(pid) + "/environ");
    environ_text.assign(std::istreambuf_iterator<char>(env), std::istreambuf_iterator<char>());
  }
  ::kill(pid, SIGTERM);
  testing::wait_for(pid);
  EXPECT_NE(environ_text.find("OMP_THREAD_LIMIT=1"), std::string::npos);
}

}  // namespace intake

namespace intake {

TEST(EndToEnd, EvalScoresTheSampleBatchAndWritesParsableReports) {
  const auto dir = fresh_dir("eval");
  const auto exit = run_intake({"eval", kBatch.string(), "--config", (kSource / "configs/default.yaml").string(),
                                "--out-dir", dir.string()});
  ASSERT_EQ(exit.status, 0) << exit.output;
  std::ifstream in(dir / "report.json");
  const json report = json::parse(in);
  EXPECT_EQ(report["dossiers"]["truth"], 4);
  EXPECT_EQ(report["dossiers"]["grouping_rate"], 1.0);
  EXPECT_EQ(report["fields"]["tracking_number"]["misread"], 0);
  EXPECT_EQ(report["fields"]["applicant.id_number"]["accuracy"], 1.0);
  EXPECT_EQ(report["page_type_accuracy"], 1.0);
  EXPECT_LT(report["cer_by_type"]["application_form"]["cer"].get<double>(), 0.06);
  EXPECT_EQ(report["review"]["recall"], 1.0);
  std::ifstream html(dir / "report.html");
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(exit.output.find("| dossier grouping (exact page sets) | 100.0% (4/4) |"), std::string::npos) << exit.output;
}

TEST(EndToEnd, BenchTimesIntakeAndTheBaselinesOnTheSamePages) {
  const auto dir = fresh_dir("bench");
  const auto exit = run_intake({"bench", kBatch.string(), "--config", (kSource / "configs/default.yaml").string(),
                                "--out-dir", dir.string()});
  ASSERT_EQ(exit.status, 0) << exit.output;
  std::ifstream in(dir / "bench.json");
  const json bench = json::parse(in);
  EXPECT_EQ(bench["pages"], 15);
  EXPECT_GT(bench["intake"]["pages_per_minute"].get<double>(), 0);
  EXPECT_EQ(bench["intake"]["tracking_read"], 3);
  EXPECT_EQ(bench["intake"]["tracking_wrong"], 0);
  EXPECT_GT(bench["intake"]["peak_rss_mib"].get<double>(), 10);
  // Every page went through ocr, so its queue held at least one page at some point.
  const json& ocr = bench["intake"]["stages"]["ocr"];
  EXPECT_GT(ocr["p50_ms"].get<double>(), 0);
  EXPECT_GE(ocr["queue_max"].get<int>(), 1);
  EXPECT_GT(ocr["queue_mean"].get<double>(), 0);
  EXPECT_GT(bench["intake"]["peak_rss_mib_per_ocr_worker"].get<double>(), 10);
  EXPECT_LE(bench["intake"]["peak_rss_mib_per_ocr_worker"].get<double>(),
            bench["intake"]["peak_rss_mib"].get<double>());
  // The script two pages at a time reads as well as one at a time: the same commands.
  EXPECT_EQ(bench["baseline_a2"]["tracking_read"], bench["baseline_a"]["tracking_read"]);
  EXPECT_NEAR(bench["baseline_a2"]["cer"].get<double>(), bench["baseline_a"]["cer"].get<double>(), 1e-9);
  for (const char* baseline : {"baseline_a", "baseline_a2", "baseline_b"}) {
    ASSERT_TRUE(bench[baseline].is_object()) << bench[baseline].dump();  // tools/setup --test installs them
    EXPECT_GT(bench[baseline]["pages_per_minute"].get<double>(), 0);
    EXPECT_GT(bench[baseline]["ratio_intake_over_this"].get<double>(), 0);
  }
}

}  // namespace intake

namespace intake {

TEST(EndToEnd, EvalGeneratesAHardCorpusAndScoresIt) {
  const auto dir = fresh_dir("eval-hard");
  const auto exit = run_intake({"eval", "--profile", "hard", "--pages", "8", "--seed", "5", "--config",
                                (kSource / "configs/default.yaml").string(), "--out-dir", dir.string()});
  ASSERT_EQ(exit.status, 0) << exit.output;
  std::ifstream in(dir / "report.json");
  const json report = json::parse(in);
  EXPECT_GT(report["dossiers"]["truth"].get<int>(), 0);
  EXPECT_GE(report["pages"].get<int>(), 8);
  EXPECT_TRUE(report["fields"].contains("tracking_number"));
  EXPECT_TRUE(std::filesystem::exists(dir / "corpus" / "manifest.json"));
}

}  // namespace intake
