#include <algorithm>
#include <fstream>
#include <thread>
#include <iostream>

#include <fmt/core.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "pipeline/store.h"
#include "pipeline/text.h"
#include "stages/ingest.h"
#include "stages/s10.h"
#include "tools/intake/commands.h"
#include "tools/intake/corpus.h"
#include "tools/intake/eval_score.h"

namespace intake {
namespace {

using json = nlohmann::json;

struct Page {
  std::string batch;
  int number = 0;
  std::filesystem::path png;         // the page as an image file, for the baselines
  std::string truth_text;
  std::string truth_type;
  std::optional<std::string> tracking;  // on envelopes
};

struct Accuracy {
  long edits = 0, chars = 0;
  int tracking_pages = 0, tracking_read = 0, tracking_wrong = 0;
  void text(const std::string& truth, const std::string& got) {
    long n = 0;
    edits += eval::edit_distance(truth, got, &n);
    chars += n;
  }
  void barcodes(const Page& p, const std::string& decoded_output) {
    if (!p.tracking) return;
    ++tracking_pages;
    bool right = false, wrong = false;
    for (const auto& c : s10::find_in_text(decoded_output)) (c == *p.tracking ? right : wrong) = true;
    if (right) ++tracking_read;
    else if (wrong) ++tracking_wrong;
  }
  double cer() const { return chars ? static_cast<double>(edits) / chars : 0.0; }
};

std::string slurp(const std::filesystem::path& f) {
  std::ifstream in(f);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool have(const std::string& program) {
  return run_child({"sh", "-c", "command -v " + program}).status == 0;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * (v.size() - 1) + 0.5)];
}

}  // namespace

int cmd_bench(const Config& config, const CorpusOptions& o, const std::filesystem::path& config_file) {
  const auto out = o.out_dir.empty() ? std::filesystem::path("data/bench") : o.out_dir;
  std::filesystem::create_directories(out);
  std::filesystem::path corpus = o.input;
  if (corpus.empty()) {
    corpus = out / "corpus";
    generate_corpus(corpus, o.profile, o.pages, o.seed);
  }
  const auto batches = load_truth_batches(corpus);

  // The pages as single images for the baselines (not timed: an office has them as files).
  const Ingest ingest(config.ingest);
  std::vector<Page> pages;
  for (const auto& b : batches) {
    const auto listing = ingest.enumerate({b.dir});
    std::map<int, const json*> truth_page;
    for (const auto& d : b.dossiers)
      for (const auto& p : d["pages"]) truth_page[p["number"].get<int>()] = &p;
    std::map<int, std::optional<std::string>> tracking_of_envelope;
    for (const auto& d : b.dossiers)
      for (const auto& p : d["pages"])
        if (p["type"] == "envelope" && d["tracking_number"].is_string())
          tracking_of_envelope[p["number"].get<int>()] = d["tracking_number"].get<std::string>();
    std::filesystem::create_directories(out / "pages" / b.name);
    for (const auto& src : listing.pages) {
      Page page{b.name, src.number, out / "pages" / b.name / (std::to_string(src.number) + ".png")};
      if (auto it = truth_page.find(src.number); it != truth_page.end()) {
        page.truth_text = it->second->value("text", "");
        page.truth_type = it->second->value("type", "");
      }
      if (tracking_of_envelope.count(src.number)) page.tracking = tracking_of_envelope[src.number];
      if (!std::filesystem::exists(page.png)) {
        const std::string bytes = ingest.load(src);
        const cv::Mat img = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())),
                                         cv::IMREAD_GRAYSCALE);
        cv::imwrite(page.png.string(), img);
      }
      pages.push_back(std::move(page));
    }
  }
  const int n = static_cast<int>(pages.size());
  json result = {{"pages", n}, {"corpus", corpus.string()}};
  fmt::print("bench: {} pages in {} batches ({})\n\n", n, batches.size(), corpus.string());

  // intake, as a user runs it: one `intake run` per batch, fresh store.
  const auto store = out / "bench-store.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store.string() + suffix);
  double intake_s = 0;
  long intake_rss = 0;
  Accuracy intake_acc;
  std::map<std::string, double> queue_area;  // queue depth x seconds, over the batches
  std::map<std::string, int> queue_max;
  double queue_seconds = 0;
  for (const auto& b : batches) {
    std::vector<std::string> args{(program_dir() / "intake").string(), "run", b.dir.string(), "--store", store.string(),
                                  "--out", (out / (b.name + ".jsonl")).string(), "--received", "2026-11-27T09:30",
                                  "--stats", (out / (b.name + ".stats.json")).string()};
    if (!config_file.empty()) args.insert(args.end(), {"--config", config_file.string()});
    const auto run = run_child(args, out / ("intake-" + b.name + ".log"));
    if (run.status != 0) throw std::runtime_error("intake run failed on " + b.dir.string() + ", see its log in " + out.string());
    intake_s += run.seconds;
    intake_rss = std::max(intake_rss, run.max_rss_kib);
    const json stats = json::parse(slurp(out / (b.name + ".stats.json")));
    for (const auto& [stage, v] : stats["stages"].items()) {
      if (!v.contains("queue_mean")) continue;
      queue_area[stage] += v["queue_mean"].get<double>() * stats["seconds"].get<double>();
      queue_max[stage] = std::max(queue_max[stage], v["queue_max"].get<int>());
    }
    queue_seconds += stats["seconds"].get<double>();
    std::map<int, const json*> got;
    std::ifstream in(out / (b.name + ".jsonl"));
    std::vector<json> records;
    for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
    for (const auto& d : records)
      for (const auto& p : d["pages"]) got[p["number"].get<int>()] = &p;
    for (const auto& page : pages) {
      if (page.batch != b.name) continue;
      const json* p = got.count(page.number) ? got[page.number] : nullptr;
      if (!page.truth_text.empty()) intake_acc.text(page.truth_text, p ? p->value("text", "") : "");
      std::string codes;
      if (p)
        for (const auto& bc : (*p)["barcodes"]) codes += bc["text"].get<std::string>() + "\n";
      intake_acc.barcodes(page, codes);
    }
  }
  // Stage latencies from the ledger.
  std::map<std::string, std::vector<double>> stage_ms;
  {
    Store s(store);
    for (const auto& b : batches) {
      const auto listing = ingest.enumerate({b.dir});
      for (const auto& lp : s.ledger(listing.batch_id))
        if (lp.result) {
          const json timings = json::parse(*lp.result).value("timings_ms", json::object());
          for (const auto& [stage, ms] : timings.items()) stage_ms[stage].push_back(ms.get<double>());
        }
    }
  }
  json stages = json::object();
  for (const auto& [stage, v] : stage_ms) stages[stage] = {{"p50_ms", percentile(v, 0.5)}, {"p95_ms", percentile(v, 0.95)}};
  for (const auto& [stage, area] : queue_area) {
    stages[stage]["queue_mean"] = queue_seconds > 0 ? area / queue_seconds : 0.0;
    stages[stage]["queue_max"] = queue_max[stage];
  }
  result["intake"] = {{"seconds", intake_s}, {"pages_per_minute", n * 60.0 / intake_s}, {"peak_rss_mib", intake_rss / 1024.0},
                      {"cer", intake_acc.cer()}, {"tracking_read", intake_acc.tracking_read},
                      {"tracking_wrong", intake_acc.tracking_wrong}, {"tracking_pages", intake_acc.tracking_pages},
                      {"stages", stages}};

  auto zxing_all = [&](Accuracy& acc, double& seconds) {
    for (const auto& page : pages) {
      const auto log = out / "zxing.out";
      const auto r = run_child({"ZXingReader", page.png.string()}, log);
      seconds += r.seconds;
      acc.barcodes(page, slurp(log));
    }
  };
  // (a) A per-page script: tesseract CLI, then ZXingReader.
  if (have("tesseract") && have("ZXingReader")) {
    Accuracy acc;
    double seconds = 0;
    long rss = 0;
    for (const auto& page : pages) {
      const auto base = out / "baseline-a" / page.batch / std::to_string(page.number);
      std::filesystem::create_directories(base.parent_path());
      const auto r = run_child({"tesseract", page.png.string(), base.string(), "-l", "vie+eng"});
      seconds += r.seconds;
      rss = std::max(rss, r.max_rss_kib);
      if (!page.truth_text.empty()) acc.text(page.truth_text, slurp(base.string() + ".txt"));
    }
    zxing_all(acc, seconds);
    result["baseline_a"] = {{"what", "tesseract CLI -l vie+eng per page, then ZXingReader per page"},
                            {"seconds", seconds}, {"pages_per_minute", n * 60.0 / seconds}, {"peak_rss_mib", rss / 1024.0},
                            {"cer", acc.cer()}, {"tracking_read", acc.tracking_read},
                            {"tracking_wrong", acc.tracking_wrong}, {"tracking_pages", acc.tracking_pages}};
  } else {
    result["baseline_a"] = "skipped: tesseract or ZXingReader (zxing-cpp-tools) not installed; tools/setup --bench installs them";
  }
  // (b) ocrmypdf over the pages as one PDF, then ZXingReader.
  if (have("ocrmypdf") && have("img2pdf") && have("ZXingReader")) {
    std::vector<std::string> args{"img2pdf", "-o", (out / "all.pdf").string()};
    for (const auto& page : pages) args.push_back(page.png.string());
    run_child(args);
    Accuracy acc;
    const int jobs = std::max(1u, std::thread::hardware_concurrency());
    const auto r = run_child({"ocrmypdf", "--jobs", std::to_string(jobs), "-l", "vie+eng", "--output-type", "pdf",
                              "--sidecar", (out / "all.txt").string(), (out / "all.pdf").string(),
                              (out / "all-ocr.pdf").string()},
                             out / "ocrmypdf.log");
    double seconds = r.seconds;
    if (r.status == 0) {
      const std::string sidecar = slurp(out / "all.txt");
      std::size_t start = 0;
      for (const auto& page : pages) {  // ocrmypdf separates pages with form feeds
        const auto ff = sidecar.find('\f', start);
        const std::string text = sidecar.substr(start, ff == std::string::npos ? std::string::npos : ff - start);
        start = ff == std::string::npos ? sidecar.size() : ff + 1;
        if (!page.truth_text.empty()) acc.text(page.truth_text, text);
      }
      zxing_all(acc, seconds);
      result["baseline_b"] = {{"what", fmt::format("ocrmypdf --jobs {} -l vie+eng on one PDF, then ZXingReader per page", jobs)},
                              {"seconds", seconds}, {"pages_per_minute", n * 60.0 / seconds},
                              {"peak_rss_mib", r.max_rss_kib / 1024.0}, {"cer", acc.cer()},
                              {"tracking_read", acc.tracking_read}, {"tracking_wrong", acc.tracking_wrong},
                              {"tracking_pages", acc.tracking_pages}};
    } else {
      result["baseline_b"] = "failed: see " + (out / "ocrmypdf.log").string();
    }
  } else {
    result["baseline_b"] = "skipped: ocrmypdf, img2pdf or ZXingReader not installed; tools/setup --bench installs them";
  }

  fmt::print("| run | pages/min | time s | peak MiB | CER | tracking read | tracking misread | intake / this |\n"
             "|---|---|---|---|---|---|---|---|\n");
  for (const char* key : {"intake", "baseline_a", "baseline_b"}) {
    const json& r = result[key];
    if (!r.is_object()) {
      fmt::print("| {} | {} |\n", key, r.get<std::string>());
      continue;
    }
    fmt::print("| {} | {:.1f} | {:.1f} | {:.0f} | {:.2f}% | {}/{} | {} | {:.2f}x |\n", key,
               r["pages_per_minute"].get<double>(), r["seconds"].get<double>(), r["peak_rss_mib"].get<double>(),
               100 * r["cer"].get<double>(), r["tracking_read"].get<int>(), r["tracking_pages"].get<int>(),
               r["tracking_wrong"].get<int>(),
               result["intake"]["pages_per_minute"].get<double>() / r["pages_per_minute"].get<double>());
    if (r.is_object() && key != std::string("intake")) result[key]["ratio_intake_over_this"] =
        result["intake"]["pages_per_minute"].get<double>() / r["pages_per_minute"].get<double>();
  }
  fmt::print("\nintake stage latency ms (p50/p95):");
  for (const auto& [stage, v] : stages.items())
    fmt::print(" {} {:.0f}/{:.0f}", stage, v["p50_ms"].get<double>(), v["p95_ms"].get<double>());
  fmt::print("\nintake queue depth, pages at the stage (mean/max):");
  for (const auto& [stage, v] : stages.items())
    if (v.contains("queue_mean"))
      fmt::print(" {} {:.1f}/{}", stage, v["queue_mean"].get<double>(), v["queue_max"].get<int>());
  fmt::print("\nbench.json: {}\n", (out / "bench.json").string());
  std::ofstream(out / "bench.json") << result.dump(2) << '\n';
  return 0;
}

}  // namespace intake
