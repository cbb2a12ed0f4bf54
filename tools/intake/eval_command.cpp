#include <fstream>
#include <iostream>
#include <optional>

#include <fmt/core.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include "pipeline/dossier/store.h"
#include "pipeline/env.h"
#include "pipeline/service/batch_service.h"
#include "stages/ingest.h"
#include "stages/sections.h"
#include "tools/intake/commands.h"
#include "tools/intake/corpus.h"
#include "tools/intake/eval_html.h"
#include "tools/intake/eval_score.h"

namespace intake {
namespace {

// A 240-pixel-wide PNG of a batch page, upright as scanned.
std::string thumbnail(const Ingest& ingest, const std::filesystem::path& batch_dir, const eval::PageProblem& p) {
  try {
    const auto batch = ingest.enumerate({batch_dir / p.source_file});
    if (p.source_page < 1 || p.source_page > static_cast<int>(batch.pages.size())) return {};
    const std::string bytes = ingest.load(batch.pages[p.source_page - 1]);
    cv::Mat img = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())),
                               cv::IMREAD_GRAYSCALE);
    if (img.empty()) return {};
    cv::resize(img, img, {}, 240.0 / img.cols, 240.0 / img.cols, cv::INTER_AREA);
    std::vector<uchar> png;
    cv::imencode(".png", img, png);
    return std::string(png.begin(), png.end());
  } catch (const std::exception&) {
    return {};
  }
}

// One config through the pipeline on every batch of the corpus, in a store of its own.
std::optional<eval::Report> run_corpus(Config config, const std::vector<TruthBatch>& batches,
                                       const std::filesystem::path& store, bool inproc) {
  if (inproc) {
    // Threads of this process on endpoints of its own: a dry run beside a live `intake serve`
    // neither binds its ports nor starts stage processes.
    config.transport.kind = "inproc";
    config.transport.results = "inproc://intake-eval/results";
    for (auto& [name, rt] : config.runtime) rt.endpoint = "inproc://intake-eval/" + name;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store.string() + suffix);
  std::filesystem::create_directories(store.parent_path());
  eval::Report report;
  BatchService service(config, {store});  // engines loaded once for every batch
  for (const auto& b : batches) {
    spdlog::info("eval: running batch {}", b.name);
    const BatchRequest request{{b.dir}, "2026-11-27T09:30:00+07:00"};
    const BatchOutcome outcome = service.run(request);
    if (outcome.run.interrupted) return std::nullopt;
    report.seconds += outcome.run.seconds;
    report.pages_processed += outcome.run.pages_total - outcome.run.pages_resumed;
    eval::score_batch(report, b.name, b.dossiers, outcome.dossiers, outcome.explanations, b.separators, b.conditions);
  }
  return report;
}

void write_reports(const Config& config, const eval::Report& report, const std::string& title,
                   const std::vector<TruthBatch>& batches, const std::filesystem::path& out) {
  const std::string md = eval::to_markdown(report, title);
  const Ingest ingest(config.section<IngestConfig>("ingest"));
  std::map<std::string, std::filesystem::path> dirs;
  for (const auto& b : batches) dirs[b.name] = b.dir;
  const std::string html = eval::to_html(report, title, [&](const eval::PageProblem& p) {
    return dirs.count(p.batch) ? thumbnail(ingest, dirs[p.batch], p) : std::string();
  });
  write_export(out / "report.md", md);
  write_export(out / "report.html", html);
  write_export(out / "report.json", eval::to_json(report).dump(2) + '\n');
}

std::string compare_markdown(const nlohmann::json& c, const std::string& title) {
  std::string md = "# intake eval: current config against candidate, " + title +
                   "\n\n| measure | current | candidate | |\n|---|---|---|---|\n";
  for (const auto& m : c["measures"]) {
    const bool ppm = m["key"] == "pages_per_minute";
    const auto show = [&](const nlohmann::json& v) {
      if (v.is_null()) return std::string("-");
      return ppm ? fmt::format("{:.1f}", v.get<double>()) : fmt::format("{:.1f}%", 100 * v.get<double>());
    };
    const std::string better = m["better"];
    md += fmt::format("| {} | {} | {} | {} |\n", m["key"].get<std::string>(), show(m["current"]), show(m["candidate"]),
                      better == "candidate" ? "better"
                      : better == "current" ? "worse"
                                            : "");
  }
  md += fmt::format("\n{} better, {} worse; {} dossiers changed.\n", c["better"].get<int>(), c["worse"].get<int>(),
                    c["changed"].size());
  return md;
}

}  // namespace

int cmd_eval(const Config& config, const CorpusOptions& o) {
  const auto out =
      o.out_dir.empty() ? std::filesystem::path("data/eval") / (o.input.empty() ? o.profile : "given") : o.out_dir;
  std::filesystem::create_directories(out);
  std::filesystem::path corpus = o.input;
  std::string title =
      o.input.empty() ? o.profile + " profile, " + std::to_string(o.pages) + " pages, seed " + std::to_string(o.seed)
                      : o.input.string();
  if (corpus.empty()) {
    corpus = out / "corpus";
    spdlog::info("generating a {} corpus of about {} pages in {}", o.profile, o.pages, corpus.string());
    generate_corpus(corpus, o.profile, o.pages, o.seed);
  }
  const auto batches = load_truth_batches(corpus);
  const auto rooted = [&](Config c) {
    if (!o.root.empty()) c.base_dir = std::filesystem::absolute(o.root);
    return c;
  };
  const Config candidate = rooted(config);

  std::optional<eval::Report> current;
  if (!o.against.empty()) {
    const Config against = rooted(load_intake_config(o.against));
    spdlog::info("eval: the current config {} first", o.against.string());
    current = run_corpus(against, batches, out / "current" / "store.db", o.inproc);
    if (!current) return 130;
    write_reports(against, *current, title + " (current config)", batches, out / "current");
    spdlog::info("eval: the candidate {}", config.file.string());
  }
  const auto report = run_corpus(candidate, batches, out / "store.db", o.inproc);
  if (!report) return 130;
  write_reports(candidate, *report, title, batches, out);
  std::cout << eval::to_markdown(*report, title) << "\nreports: " << (out / "report.md").string() << ", "
            << (out / "report.html").string() << ", " << (out / "report.json").string() << '\n';
  if (current) {
    const nlohmann::json compared = eval::compare(*current, *report);
    const std::string md = compare_markdown(compared, title);
    write_export(out / "compare.json", compared.dump(2) + '\n');
    write_export(out / "compare.md", md);
    std::cout << '\n' << md << "comparison: " << (out / "compare.json").string() << '\n';
  }
  return 0;
}

}  // namespace intake
