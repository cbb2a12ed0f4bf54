#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/core.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "pipeline/dossier/store.h"
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
  const Ingest ingest(config.section<IngestConfig>("ingest"));
  std::vector<Page> pages;
  for (const auto& b : batches) {
    const auto listing = ingest.enumerate({b.dir});
    std::map<int, const PageRecord*> truth_page;
    std::map<int, std::optional<std::string>> tracking_of_envelope;
    for (const auto& d : b.dossiers)
      for (const auto& p : d.pages) {
        truth_page[p.number] = &p;
        if (p.type == PageType::envelope && d.tracking_number) tracking_of_envelope[p.number] = d.tracking_number;
      }
    std::filesystem::create_directories(out / "pages" / b.name);
    for (const auto& src : listing.pages) {
      Page page{b.name, src.number, out / "pages" / b.name / (std::to_string(src.number) + ".png")};
      if (auto it = truth_page.find(src.number); it != truth_page.end()) {
        page.truth_text = it->second->text;
        page.truth_type = it->second->type ? std::string(name_of(*it->second->type)) : "";
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

  // The machine is shared and noisy, so the three runs take turns batch by batch: whatever else
  // the machine does then weighs on all of them alike, and the ratios hold.
  const auto store = out / "bench-store.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store.string() + suffix);
  const bool with_a = have("tesseract") && have("ZXingReader");
  const bool with_b = have("ocrmypdf") && have("img2pdf") && have("ZXingReader");
  const int jobs = std::max(1u, std::thread::hardware_concurrency());
  double intake_s = 0, a_s = 0, a2_s = 0, b_s = 0;
  long intake_rss = 0, a_rss = 0, a2_rss = 0, b_rss = 0;
  Accuracy intake_acc, a_acc, a2_acc, b_acc;
  bool b_failed = false;
  std::map<std::string, double> queue_area;  // queue depth x seconds, over the batches
  std::map<std::string, int> queue_max;
  double queue_seconds = 0;

  auto zxing_all = [&](const std::vector<const Page*>& ps, Accuracy& acc, double& seconds) {
    for (const Page* page : ps) {
      const auto log = out / "zxing.out";
      const auto r = run_child({"ZXingReader", page->png.string()}, log);
      seconds += r.seconds;
      acc.barcodes(*page, slurp(log));
    }
  };

  for (const auto& b : batches) {
    std::vector<const Page*> batch_pages;
    for (const auto& page : pages)
      if (page.batch == b.name) batch_pages.push_back(&page);

    // intake, as a user runs it: one `intake run` per batch, one store.
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
    std::map<int, const PageRecord*> got;
    std::ifstream in(out / (b.name + ".jsonl"));
    std::vector<DossierRecord> records;
    for (std::string line; std::getline(in, line);) records.push_back(dossier_from_json(json::parse(line)));
    for (const auto& d : records)
      for (const auto& p : d.pages) got[p.number] = &p;
    for (const Page* page : batch_pages) {
      const PageRecord* p = got.count(page->number) ? got[page->number] : nullptr;
      if (!page->truth_text.empty()) intake_acc.text(page->truth_text, p ? p->text : "");
      std::string codes;
      if (p)
        for (const auto& bc : p->barcodes) codes += bc.text + "\n";
      intake_acc.barcodes(*page, codes);
    }

    // (a) A per-page script: tesseract CLI, then ZXingReader.
    if (with_a) {
      for (const Page* page : batch_pages) {
        const auto base = out / "baseline-a" / page->batch / std::to_string(page->number);
        std::filesystem::create_directories(base.parent_path());
        const auto r = run_child({"tesseract", page->png.string(), base.string(), "-l", "vie+eng"});
        a_s += r.seconds;
        a_rss = std::max(a_rss, r.max_rss_kib);
        if (!page->truth_text.empty()) a_acc.text(page->truth_text, slurp(base.string() + ".txt"));
      }
      zxing_all(batch_pages, a_acc, a_s);
    }

    // (a') The same script, `jobs` pages at a time (xargs -P2 on a 2-core PC): each page is
    // tesseract then ZXingReader. Timed as a whole, wall clock; scored afterwards.
    if (with_a) {
      std::atomic<std::size_t> next{0};
      std::vector<long> rss(batch_pages.size(), 0);
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> lanes;
      for (int j = 0; j < jobs; ++j)
        lanes.emplace_back([&] {
          for (std::size_t i; (i = next++) < batch_pages.size();) {
            const Page* page = batch_pages[i];
            const auto base = out / "baseline-a2" / page->batch / std::to_string(page->number);
            std::filesystem::create_directories(base.parent_path());
            const auto t = run_child({"tesseract", page->png.string(), base.string(), "-l", "vie+eng"});
            const auto z = run_child({"ZXingReader", page->png.string()}, base.string() + ".zxing");
            rss[i] = std::max(t.max_rss_kib, z.max_rss_kib);
          }
        });
      for (auto& lane : lanes) lane.join();
      a2_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (std::size_t i = 0; i < batch_pages.size(); ++i) {
        const Page* page = batch_pages[i];
        const auto base = out / "baseline-a2" / page->batch / std::to_string(page->number);
        // Up to `jobs` such processes are resident at once.
        a2_rss = std::max(a2_rss, rss[i] * std::min<long>(jobs, static_cast<long>(batch_pages.size())));
        if (!page->truth_text.empty()) a2_acc.text(page->truth_text, slurp(base.string() + ".txt"));
        a2_acc.barcodes(*page, slurp(base.string() + ".zxing"));
      }
    }

    // (b) ocrmypdf over the batch's pages as one PDF, then ZXingReader.
    if (with_b && !b_failed) {
      const auto pdf = out / (b.name + ".pdf");
      std::vector<std::string> img2pdf{"img2pdf", "-o", pdf.string()};
      for (const Page* page : batch_pages) img2pdf.push_back(page->png.string());
      run_child(img2pdf);
      const auto sidecar_file = out / (b.name + "-ocr.txt");
      const auto r = run_child({"ocrmypdf", "--jobs", std::to_string(jobs), "-l", "vie+eng", "--output-type", "pdf",
                                "--sidecar", sidecar_file.string(), pdf.string(), (out / (b.name + "-ocr.pdf")).string()},
                               out / ("ocrmypdf-" + b.name + ".log"));
      b_s += r.seconds;
      b_rss = std::max(b_rss, r.max_rss_kib);
      if (r.status != 0) {
        b_failed = true;
      } else {
        const std::string sidecar = slurp(sidecar_file);
        std::size_t start = 0;
        for (const Page* page : batch_pages) {  // ocrmypdf separates pages with form feeds
          const auto ff = sidecar.find('\f', start);
          const std::string text = sidecar.substr(start, ff == std::string::npos ? std::string::npos : ff - start);
          start = ff == std::string::npos ? sidecar.size() : ff + 1;
          if (!page->truth_text.empty()) b_acc.text(page->truth_text, text);
        }
        zxing_all(batch_pages, b_acc, b_s);
      }
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
  auto summary = [&](const std::string& what, double seconds, long rss, const Accuracy& acc) {
    return json{{"what", what}, {"seconds", seconds}, {"pages_per_minute", n * 60.0 / seconds},
                {"peak_rss_mib", rss / 1024.0}, {"cer", acc.cer()}, {"tracking_read", acc.tracking_read},
                {"tracking_wrong", acc.tracking_wrong}, {"tracking_pages", acc.tracking_pages}};
  };
  result["intake"] = summary("intake run per batch", intake_s, intake_rss, intake_acc);
  result["intake"]["stages"] = stages;
  result["baseline_a"] = with_a ? summary("tesseract CLI -l vie+eng per page, then ZXingReader per page", a_s, a_rss, a_acc)
                                : json("skipped: tesseract or ZXingReader (zxing-cpp-tools) not installed; "
                                       "tools/setup --bench installs them");
  result["baseline_a2"] =
      with_a ? summary(fmt::format("the same script, {} pages at a time (xargs -P{}); peak: {} such processes at once",
                                   jobs, jobs, jobs),
                       a2_s, a2_rss, a2_acc)
             : result["baseline_a"];
  // The peak is of the largest process (in process: all of intake; over tcp: an OCR stage
  // process, its largest child), shared by that process's OCR workers, models and all.
  const int ocr_workers = std::max(1, config.runtime.at("ocr").workers);
  result["intake"]["ocr_workers"] = ocr_workers;
  result["intake"]["peak_rss_mib_per_ocr_worker"] = intake_rss / 1024.0 / ocr_workers;
  if (!with_b)
    result["baseline_b"] = "skipped: ocrmypdf, img2pdf or ZXingReader not installed; tools/setup --bench installs them";
  else if (b_failed)
    result["baseline_b"] = "failed: see the ocrmypdf logs in " + out.string();
  else
    result["baseline_b"] = summary(fmt::format("ocrmypdf --jobs {} -l vie+eng on one PDF per batch, then ZXingReader per page", jobs),
                                   b_s, b_rss, b_acc);

  fmt::print("| run | pages/min | time s | peak MiB | CER | tracking read | tracking misread | intake / this |\n"
             "|---|---|---|---|---|---|---|---|\n");
  for (const char* key : {"intake", "baseline_a", "baseline_a2", "baseline_b"}) {
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
  fmt::print("\nintake peak memory per OCR worker: {:.0f} MiB (the process's peak over {} worker(s))",
             result["intake"]["peak_rss_mib_per_ocr_worker"].get<double>(), ocr_workers);
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
