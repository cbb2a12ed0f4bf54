// The zxing-cpp 1.4.0 black-box corpus (../shared/corpora/zxing-cpp-1.4.0, see its README.md)
// through the real barcode stage, exactly as the pipeline runs it: BarcodeStage with the default
// BarcodeConfig, PageItem.work = the image as 8-bit grey, rotated clockwise by the table's rotation.
//
// Per row of passcounts.tsv (folder, rotation): passes >= min_pass and misreads <= max_misreads;
// no read at all in falsepositives-*. Counting follows upstream's BlackboxTestRunner (one verdict per
// image), adapted to a stage that returns every symbol it finds:
//   pass     one returned barcode has the folder's format and exactly the expected content
//            (N.txt compared whole as UTF-8; else N.bin: the text's code points, each one byte, as
//            upstream compares the Latin-1 text / raw bytes);
//   misread  a returned barcode of the folder's format whose content is neither the expected one
//            nor a second symbol known to be printed in that image (kSecondSymbols), whether or not
//            the image also passed: a wrong read next to the right one still misleads the pipeline
//            (in falsepositives-*: any barcode of any format);
//   second   a known second symbol was read (correct, not gated);
//   other    barcodes of another format: reported with both readers' results, not gated (upstream,
//            reading one symbol, would count a wrong format as a misread).
// N.result.txt keys (symbologyIdentifier, ecLevel, ...) are not checked: the stage returns only
// format, text and position. A page the stage gives up on (it throws) counts as not decoded and is
// reported.
//
// The same run measures "the library alone": one BarcodeSandbox::decode per image with upstream's
// slow-mode hints (tryHarder, tryRotate, all formats; multi=false, i.e. read, blank out, read again),
// judged the same way; per row the stage must pass at least as many images. The table (printed, and
// written as TSV to INTAKE_ZXING_PASSCOUNTS_OUT) compares the two.
//
// $INTAKE_ZXING_CORPUS overrides the corpus folder; $INTAKE_ZXING_CORPUS_THREADS the number of
// decoding threads (default 2, each with its own stage state and sandboxes);
// $INTAKE_ZXING_CORPUS_VERBOSE=1 lists every image the stage did not decode.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <ZXing/BarcodeFormat.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "stages/barcode.h"
#include "stages/barcode_sandbox.h"

namespace intake {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMissing = "corpus_missing";
constexpr const char* kBadTable = "passcounts_tsv_unreadable";

fs::path corpus_dir() {
  if (const char* env = std::getenv("INTAKE_ZXING_CORPUS"); env && *env) return env;
  return INTAKE_ZXING_CORPUS_DIR;
}

int thread_count() {
  if (const char* env = std::getenv("INTAKE_ZXING_CORPUS_THREADS"); env && *env) return std::max(1, std::atoi(env));
  return 2;
}

// $INTAKE_ZXING_CORPUS_VERBOSE=1 also lists the images the stage did not decode in rows that pass.
bool verbose() {
  const char* env = std::getenv("INTAKE_ZXING_CORPUS_VERBOSE");
  return env && *env && std::string(env) != "0";
}

struct Row {
  std::string folder, format;
  int images = 0, rotation = 0, min_pass = 0, max_misreads = 0;
};

// passcounts.tsv: a header line naming the columns, then one row per folder and rotation.
std::optional<std::vector<Row>> load_table(const fs::path& file, std::string& error) {
  std::ifstream in(file);
  if (!in) {
    error = "cannot open " + file.string();
    return std::nullopt;
  }
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) cells.push_back(cell);
    return cells;
  };
  std::string line;
  std::getline(in, line);
  const auto header = split(line);
  auto column = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int folder = column("folder"), format = column("format"), images = column("images"),
            rotation = column("rotation"), min_pass = column("min_pass"), max_misreads = column("max_misreads");
  if (std::min({folder, format, images, rotation, min_pass, max_misreads}) < 0) {
    error = file.string() + ": header lacks folder/format/images/rotation/min_pass/max_misreads: " + line;
    return std::nullopt;
  }
  std::vector<Row> rows;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto c = split(line);
    try {
      if (c.size() != header.size()) throw std::invalid_argument("column count");
      rows.push_back({c[folder], c[format], std::stoi(c[images]), std::stoi(c[rotation]), std::stoi(c[min_pass]),
                      std::stoi(c[max_misreads])});
    } catch (const std::exception&) {
      error = file.string() + ":" + std::to_string(n) + ": malformed row: " + line;
      return std::nullopt;
    }
  }
  return rows;
}

// The test parameters: the table's folders in order (read when the tests are registered).
std::vector<std::string> folder_params() {
  if (!fs::is_directory(corpus_dir())) return {kMissing};
  std::string error;
  const auto rows = load_table(corpus_dir() / "passcounts.tsv", error);
  if (!rows || rows->empty()) return {kBadTable};
  std::vector<std::string> folders;
  for (const auto& r : *rows)
    if (std::find(folders.begin(), folders.end(), r.folder) == folders.end()) folders.push_back(r.folder);
  return folders;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// UTF-8 to code points; nullopt when malformed.
std::optional<std::u32string> decode_utf8(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0) return std::nullopt;
    char32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return std::nullopt;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(cp);
    i += n + 1;
  }
  return out;
}

struct Expected {
  std::optional<std::string> text;  // N.txt, UTF-8, compared whole
  std::optional<std::string> bin;   // N.bin, raw bytes
  bool has() const { return text || bin; }
  bool matches(const std::string& utf8) const {
    if (text) return utf8 == *text;
    if (!bin) return false;
    // Upstream compares the decoded text, narrowed to Latin-1, with the bytes; the stage hands out
    // that text as UTF-8, so each code point must equal one byte.
    const auto cps = decode_utf8(utf8);
    if (!cps || cps->size() != bin->size()) return false;
    for (std::size_t i = 0; i < bin->size(); ++i)
      if ((*cps)[i] != static_cast<unsigned char>((*bin)[i])) return false;
    return true;
  }
};

std::string quoted(const std::string& s, std::size_t max = 60) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return "'" + out + (s.size() > max ? "...'" : "'");
}

std::string describe(const std::vector<Barcode>& reads) {
  if (reads.empty()) return "nothing";
  std::string out;
  for (const auto& b : reads) out += (out.empty() ? "" : ", ") + b.format + " " + quoted(b.text);
  return out;
}

// Images of the corpus that show a second symbol of the folder's format besides the expected one
// (the corpus expects one per image). Each was checked by eye on the image; reading it is correct.
struct SecondSymbol {
  const char* image;  // folder/file
  const char* text;
};
constexpr SecondSymbol kSecondSymbols[] = {
    {"code39-3/02.png", "001EC947D49B"},   // the MAC-address label under the serial number
    {"code39-3/08.png", "001EC9476B0A"},   // likewise
    {"ean13-2/14.png", "1920081045006"},   // the lower bar of a Japanese book's two-tier code
    {"ean13-2/21.png", "1920081045006"},   // the same book
    {"qrcode-2/16.png", "[外側QRコード]\r\n \r\n*ﾀﾞﾌﾞﾙQR*\r\nhttp://d-qr.net/ex/"},  // QR in QR: the outer one
};

bool known_second(const std::string& image, const std::string& text) {
  return std::any_of(std::begin(kSecondSymbols), std::end(kSecondSymbols),
                     [&](const SecondSymbol& s) { return image == s.image && text == s.text; });
}

struct Verdict {
  bool pass = false, misread = false;
  int second = 0, other = 0;
};

// One image's reads against its expectation (see the top of the file). `image` is folder/file.
Verdict judge(const std::vector<Barcode>& reads, ZXing::BarcodeFormat format, const Expected& expected,
              const std::string& image) {
  Verdict v;
  if (format == ZXing::BarcodeFormat::None) {  // falsepositives-*: anything read is a misread
    v.misread = !reads.empty();
    return v;
  }
  for (const auto& b : reads) {
    if (ZXing::BarcodeFormatFromString(b.format) != format) ++v.other;
    else if (expected.matches(b.text)) v.pass = true;
    else if (known_second(image, b.text)) ++v.second;
    else v.misread = true;
  }
  return v;
}

struct ImageResult {
  Verdict library, stage;
  std::vector<Barcode> library_reads, stage_reads;
  std::string library_crash, stage_error;  // the sandbox crashed / the stage gave the page up
  std::vector<std::string> stage_flags;
  double library_ms = 0, stage_ms = 0;
};

struct RowResult {
  Row row;
  int images = 0, library_pass = 0, stage_pass = 0, misreads = 0, library_misreads = 0, second = 0, other = 0,
      gave_up = 0, flagged = 0, library_crashes = 0, lost = 0;  // lost: the library read it, the stage did not
  double library_ms = 0, stage_ms = 0;
  std::vector<std::string> not_passed, misread_files, second_files, other_files, gave_up_files, lost_files;
};

// Every row measured in this process, by (folder, rotation); written out after the last test.
std::mutex results_mutex;
std::map<std::pair<std::string, int>, RowResult> results;

cv::Mat rotated_clockwise(const cv::Mat& image, int degrees) {
  cv::Mat out;
  switch (((degrees % 360) + 360) % 360) {
    case 0: return image;
    case 90: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 180: cv::rotate(image, out, cv::ROTATE_180); return out;
    case 270: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
  }
  throw std::invalid_argument("rotation " + std::to_string(degrees) + " is not a multiple of 90");
}

BarcodeConfig stage_config() {
  BarcodeConfig c;  // the pipeline's defaults...
  c.sandbox_path = INTAKE_SANDBOX;  // ...with the sandbox of this build
  return c;
}

// Upstream's "slow" mode: ReadBarcode with tryHarder and tryRotate, all formats.
constexpr DecodeOptions kLibraryAlone{true, true, false, 0, 0};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string fmt_row(const RowResult& r) {
  std::ostringstream o;
  o << std::left << std::setw(18) << r.row.folder << std::right << std::setw(4) << r.row.rotation << std::setw(7)
    << r.images << std::setw(9) << r.row.min_pass << std::setw(9) << r.library_pass << std::setw(7) << r.stage_pass
    << std::setw(6) << r.misreads << "/" << std::left << std::setw(3) << r.row.max_misreads << std::right
    << std::setw(6) << r.second << std::setw(6) << r.other << std::setw(8) << r.gave_up << std::setw(5) << r.lost
    << std::fixed << std::setprecision(1) << std::setw(8) << r.library_ms / 1000 << std::setw(8)
    << r.stage_ms / 1000;
  return o.str();
}

const char* kHeader =
    "folder             rot images min_pass  library  stage misreads   2nd other gave_up lost   lib_s stage_s";

class ZxingCorpus : public ::testing::TestWithParam<std::string> {
 public:
  static void TearDownTestSuite();
};

TEST_P(ZxingCorpus, Folder) {
  const fs::path dir = corpus_dir();
  // ctest marks the test skipped by this message (SKIP_REGULAR_EXPRESSION in CMakeLists.txt).
  if (GetParam() == kMissing)
    GTEST_SKIP() << "zxing-cpp 1.4.0 corpus not found at " << dir
                 << " (set INTAKE_ZXING_CORPUS to its folder to run this test)";
  std::string error;
  const auto table = load_table(dir / "passcounts.tsv", error);
  ASSERT_TRUE(table && !table->empty()) << (error.empty() ? "passcounts.tsv has no rows" : error);

  const std::string folder = GetParam();
  std::vector<Row> rows;
  for (const auto& r : *table)
    if (r.folder == folder) rows.push_back(r);
  ASSERT_FALSE(rows.empty());
  const auto format = ZXing::BarcodeFormatFromString(rows[0].format);
  ASSERT_TRUE(format != ZXing::BarcodeFormat::None || rows[0].format == "None")
      << "passcounts.tsv names format '" << rows[0].format << "', which ZXing does not know";
  for (const auto& r : rows) ASSERT_EQ(r.format, rows[0].format) << "one format per folder";

  // The images (as upstream: .png .jpg .pgm .gif), their grey pixels and expected contents.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir / folder)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".pgm" || ext == ".gif"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<cv::Mat> images;
  std::vector<Expected> expected;
  for (const auto& f : files) {
    images.push_back(cv::imread(f.string(), cv::IMREAD_GRAYSCALE));
    ASSERT_FALSE(images.back().empty()) << "cannot load " << f;
    ASSERT_EQ(images.back().type(), CV_8UC1) << f;
    expected.push_back({read_file(fs::path(f).replace_extension(".txt")), read_file(fs::path(f).replace_extension(".bin"))});
    if (format != ZXing::BarcodeFormat::None) {
      ASSERT_TRUE(expected.back().has()) << "no .txt or .bin beside " << f;
    }
  }
  for (const auto& r : rows) EXPECT_EQ(static_cast<int>(files.size()), r.images) << folder << ": image count";

  // Every (row, image) pair, on a few threads; each thread has its own stage state and sandboxes.
  const std::size_t jobs = rows.size() * files.size();
  std::vector<ImageResult> out(jobs);
  std::atomic<std::size_t> next{0};
  std::mutex fatal_mutex;
  std::string fatal;  // an exception outside the decode calls (e.g. the sandbox would not start)
  auto worker = [&] {
    try {
      BarcodeStage stage(stage_config());
      auto state = stage.make_state();
      BarcodeSandbox library(INTAKE_SANDBOX, stage_config().sandbox_timeout_ms);
      for (std::size_t j; (j = next++) < jobs;) {
        const Row& row = rows[j / files.size()];
        const std::size_t i = j % files.size();
        ImageResult& res = out[j];
        const cv::Mat image = rotated_clockwise(images[i], row.rotation);

        auto t0 = Clock::now();
        auto lib = library.decode(image, kLibraryAlone);
        res.library_ms = ms_since(t0);
        if (auto* found = std::get_if<std::vector<Barcode>>(&lib)) res.library_reads = std::move(*found);
        else res.library_crash = std::get<SandboxCrash>(lib).reason;

        PageItem page;
        page.number = static_cast<int>(i) + 1;
        page.source_file = files[i].filename().string();
        page.work = image;
        t0 = Clock::now();
        try {
          stage.process(page, state.get());
        } catch (const std::exception& e) {  // the stage gave the page up: not decoded
          res.stage_error = e.what();
          page.barcodes.clear();
        }
        res.stage_ms = ms_since(t0);
        res.stage_reads = page.barcodes;
        res.stage_flags = page.flags;
        const std::string id = folder + "/" + files[i].filename().string();
        res.library = judge(res.library_reads, format, expected[i], id);
        res.stage = judge(res.stage_reads, format, expected[i], id);
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(fatal_mutex);
      fatal = e.what();
      next = jobs;
    }
  };
  const auto t_folder = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count(); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  ASSERT_TRUE(fatal.empty()) << fatal;
  const double folder_s = ms_since(t_folder) / 1000;

  std::ostringstream table_text;
  table_text << kHeader << "\n";
  for (std::size_t k = 0; k < rows.size(); ++k) {
    RowResult r;
    r.row = rows[k];
    r.images = static_cast<int>(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      const ImageResult& res = out[k * files.size() + i];
      const std::string name = files[i].filename().string();
      r.library_pass += res.library.pass;
      r.stage_pass += res.stage.pass;
      r.misreads += res.stage.misread;
      r.library_misreads += res.library.misread;
      r.second += res.stage.second > 0;
      r.other += res.stage.other > 0;
      r.library_ms += res.library_ms;
      r.stage_ms += res.stage_ms;
      if (!res.library_crash.empty()) ++r.library_crashes;
      if (!res.stage_flags.empty()) ++r.flagged;
      if (!res.stage.pass && format != ZXing::BarcodeFormat::None) r.not_passed.push_back(name + ": " + describe(res.stage_reads));
      if (res.stage.misread) r.misread_files.push_back(name + ": " + describe(res.stage_reads));
      if (res.stage.second) r.second_files.push_back(name + ": " + describe(res.stage_reads));
      if (res.stage.other && format != ZXing::BarcodeFormat::None)
        r.other_files.push_back(name + ": stage " + describe(res.stage_reads) + "; library alone " + describe(res.library_reads));
      if (!res.stage_error.empty()) {
        ++r.gave_up;
        r.gave_up_files.push_back(name + ": " + res.stage_error);
      }
      if (res.library.pass && !res.stage.pass) {
        ++r.lost;
        r.lost_files.push_back(name + ": library " + describe(res.library_reads) + "; stage " + describe(res.stage_reads));
      }
    }
    table_text << fmt_row(r) << "\n";

    const std::string where = folder + " @ " + std::to_string(r.row.rotation) + "°";
    EXPECT_GE(r.stage_pass, r.row.min_pass) << where << ": " << r.stage_pass << " images decoded, "
                                            << r.row.min_pass << " required; not decoded:\n  "
                                            << ::testing::PrintToString(r.not_passed);
    EXPECT_LE(r.misreads, r.row.max_misreads) << where << ": misread images:\n  "
                                              << ::testing::PrintToString(r.misread_files);
    if (format == ZXing::BarcodeFormat::None) {
      EXPECT_EQ(r.misreads, 0) << where << ": reads in an image without a barcode";
    }
    // The stage's passes and retries must not do worse than one plain library call.
    EXPECT_GE(r.stage_pass, r.library_pass) << where << ": the library alone decodes more; lost by the stage:\n  "
                                            << ::testing::PrintToString(r.lost_files);
    // Reported, not gated: they inform the closing note.
    auto report = [&](const char* what, const std::vector<std::string>& list) {
      if (list.empty()) return;
      std::cout << "  " << where << " " << what << ":\n";
      for (const auto& s : list) std::cout << "    " << s << "\n";
    };
    if (verbose()) report("not decoded by the stage", r.not_passed);
    report("GAVE UP (stage threw; counted as not decoded)", r.gave_up_files);
    report("read by the library alone but not by the stage", r.lost_files);
    if (verbose()) report("read a known second symbol", r.second_files);
    report("reads of another format", r.other_files);
    if (r.library_crashes) std::cout << "  " << where << ": library alone crashed the sandbox on " << r.library_crashes << " images\n";
    if (r.flagged) std::cout << "  " << where << ": stage flagged " << r.flagged << " pages (decoder crash)\n";

    std::lock_guard lock(results_mutex);
    results[{r.row.folder, r.row.rotation}] = std::move(r);
  }
  std::cout << table_text.str() << folder << ": " << jobs << " decodes in " << std::fixed << std::setprecision(1)
            << folder_s << " s on " << thread_count() << " threads\n";
}

void ZxingCorpus::TearDownTestSuite() {
  std::lock_guard lock(results_mutex);
  if (results.empty()) return;
  std::string error;
  const auto table = load_table(corpus_dir() / "passcounts.tsv", error);
  if (!table) return;
  std::ofstream tsv(INTAKE_ZXING_PASSCOUNTS_OUT);
  tsv << "folder\tformat\trotation\timages\tmin_pass\tlibrary_pass\tstage_pass\tstage_misreads\tmax_misreads"
         "\tlibrary_misreads\tstage_second_symbol\tstage_other_format\tstage_gave_up\tstage_flagged\tlost_by_stage"
         "\tlibrary_ms\tstage_ms\n";
  std::cout << "\nzxing-cpp 1.4.0 corpus, library alone (ReadBarcode tryHarder+tryRotate) vs the barcode stage\n"
            << kHeader << "\n";
  RowResult total;
  int rows_below = 0, rows_above = 0, rows_lib_below = 0;
  for (const auto& row : *table) {
    const auto it = results.find({row.folder, row.rotation});
    if (it == results.end()) continue;
    const RowResult& r = it->second;
    tsv << r.row.folder << '\t' << r.row.format << '\t' << r.row.rotation << '\t' << r.images << '\t' << r.row.min_pass
        << '\t' << r.library_pass << '\t' << r.stage_pass << '\t' << r.misreads << '\t' << r.row.max_misreads << '\t'
        << r.library_misreads << '\t' << r.second << '\t' << r.other << '\t' << r.gave_up << '\t' << r.flagged << '\t'
        << r.lost << '\t' << std::lround(r.library_ms) << '\t' << std::lround(r.stage_ms) << '\n';
    std::cout << fmt_row(r) << "\n";
    total.images += r.images, total.row.min_pass += r.row.min_pass, total.library_pass += r.library_pass;
    total.stage_pass += r.stage_pass, total.misreads += r.misreads, total.row.max_misreads += r.row.max_misreads;
    total.second += r.second, total.other += r.other, total.gave_up += r.gave_up, total.lost += r.lost;
    total.library_ms += r.library_ms, total.stage_ms += r.stage_ms;
    rows_below += r.stage_pass < r.row.min_pass;
    rows_lib_below += r.library_pass < r.row.min_pass;
    rows_above += r.stage_pass > r.row.min_pass;
  }
  total.row.folder = "TOTAL";
  std::cout << fmt_row(total) << "\n"
            << "rows where the stage is below min_pass: " << rows_below << ", above: " << rows_above
            << "; rows where the library alone is below min_pass: " << rows_lib_below << "\n"
            << "table written to " << INTAKE_ZXING_PASSCOUNTS_OUT << "\n";
}

INSTANTIATE_TEST_SUITE_P(Corpus, ZxingCorpus, ::testing::ValuesIn(folder_params()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace intake
