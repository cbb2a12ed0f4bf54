#include "pipeline/config.h"

#include <fstream>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "pipeline/coordinator.h"
#include "pipeline/hash.h"
#include "pipeline/memory_ledger.h"
#include "pipeline/worker_pool.h"
#include "stages/classify.h"
#include "stages/preprocess.h"
#include "stages/registry.h"

namespace intake {
namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& yaml) {
  const auto dir = std::filesystem::temp_directory_path() / "intake-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  std::ofstream(file) << yaml;
  return file;
}

std::string error_of(const std::string& yaml) {
  try {
    load_intake_config(write_temp("c.yaml", yaml));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, ShippedConfigsLoad) {
  const auto root = std::filesystem::path(INTAKE_SOURCE_DIR);
  const Config d = load_intake_config(root / "configs/default.yaml");
  EXPECT_EQ(d.transport.kind, "inproc");
  EXPECT_EQ(d.runtime.at("ocr").workers, 2);
  EXPECT_EQ(d.resolve(d.section<ClassifyConfig>("classify").catalog), root / "models/procedures.yaml");
  EXPECT_EQ(d.stages, (std::vector<std::string>{"preprocess", "barcode", "ocr", "classify", "extract"}));
  const Config t = load_intake_config(root / "configs/tcp.yaml");
  EXPECT_EQ(t.transport.kind, "tcp");
  EXPECT_EQ(t.runtime.at("ocr").processes, 2);
}

// Found by tools/peers-score: a copy of a shipped config in another folder, its models/ paths
// made absolute (as an office does for /etc/intake), named no classification weights, so the
// default resolved against the copy's folder and the run stopped. Every file a shipped config
// needs is named in it.
TEST(Config, ACopyOfAShippedConfigElsewhereNamesEveryModelItNeeds) {
  const auto root = std::filesystem::path(INTAKE_SOURCE_DIR);
  const auto dir = std::filesystem::temp_directory_path() / "intake-config-copy";
  std::filesystem::create_directories(dir);
  for (const char* name : {"default.yaml", "tcp.yaml"}) {
    std::ifstream in(root / "configs" / name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t at = 0; (at = text.find("models/", at)) != std::string::npos; at += root.string().size() + 8)
      text.replace(at, 7, (root / "models").string() + "/");
    for (std::size_t at = 0; (at = text.find("configs/calendar.yaml", at)) != std::string::npos;
         at += root.string().size() + 22)
      text.replace(at, 21, (root / "configs/calendar.yaml").string());
    std::ofstream(dir / name) << text;
    const Config c = load_intake_config(dir / name);
    const auto& classify = c.section<ClassifyConfig>("classify");
    EXPECT_TRUE(std::filesystem::exists(c.resolve(classify.weights))) << name << ": " << c.resolve(classify.weights);
    EXPECT_TRUE(std::filesystem::exists(c.resolve(classify.catalog))) << name;
    EXPECT_NO_THROW(ClassifyWeights::load(c.resolve(classify.weights))) << name;
  }
}

TEST(Config, ErrorsNameTheFileAndTheKey) {
  EXPECT_NE(error_of("stages:\n  ocr:\n    wrokers: 2\n").find("'stages.ocr.wrokers' is not a known setting"), std::string::npos);
  EXPECT_NE(error_of("stages:\n  ocr:\n    workers: many\n").find("'stages.ocr.workers' has the wrong type"), std::string::npos);
  EXPECT_NE(error_of("stages:\n  ocr:\n    workers: 0\n").find("stages.ocr.workers"), std::string::npos);
  EXPECT_NE(error_of("transport:\n  kind: udp\n").find("transport.kind"), std::string::npos);
  EXPECT_NE(error_of("transport:\n  kind: tcp\n").find("must be a tcp:// endpoint"), std::string::npos);
  EXPECT_NE(error_of("bogus: 1\n").find("'bogus' is not a known setting"), std::string::npos);
  EXPECT_NE(error_of("stages: [1, 2\n").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("x").find("c.yaml"), std::string::npos);
  // A stage's own section checks its own values, and says where.
  EXPECT_NE(error_of("stages:\n  preprocess:\n    max_skew_deg: 90\n")
                .find("'stages.preprocess.max_skew_deg' must be in (0, 45]"),
            std::string::npos);
  EXPECT_NE(error_of("ingest:\n  pdf_dpi: 10\n").find("'ingest.pdf_dpi' must be 50..1200"), std::string::npos);
  EXPECT_NE(error_of("assemble:\n  min_ocr: 1\n").find("'assemble.min_ocr' is not a known setting"), std::string::npos);
  EXPECT_NE(error_of("stages:\n  stamp: {}\n").find("'stages.stamp' is not a known setting"), std::string::npos);
}

namespace {

// A stage that is not intake's: it stamps each page with the ink its section names.
struct StampConfig {
  std::string ink = "red";
};
class StampStage : public Stage {
 public:
  explicit StampStage(StampConfig c) : config_(std::move(c)) {}
  std::string_view name() const override { return "stamp"; }
  void process(PageItem& page, WorkerState*) const override { page.flag("stamped:" + config_.ink); }

 private:
  StampConfig config_;
};

StageEntry stamp_entry() {
  return {SectionSpec::of<StampConfig>("stamp", true,
                                       [](ConfigSection& s, StampConfig& c) {
                                         s.get("ink", c.ink);
                                         s.require(c.ink == "red" || c.ink == "blue", "ink", "must be red or blue");
                                       }),
          [](const Config& config) -> std::unique_ptr<Stage> {
            return std::make_unique<StampStage>(config.section<StampConfig>("stamp"));
          }};
}

}  // namespace

// Adding a stage is a registry entry: its section is read and checked, it takes its place in
// the pipeline, and the runtime runs it, with no runtime file changed.
TEST(StageRegistry, AStageRegisteredFromOutsideIsConfiguredPlacedAndRun) {
  StageRegistry registry = StageRegistry::builtin();
  registry.add(stamp_entry(), "extract");
  const Config c = registry.load(write_temp("stamp.yaml", "stages:\n  stamp:\n    ink: blue\n    workers: 2\n"));
  EXPECT_EQ(c.stages, (std::vector<std::string>{"preprocess", "barcode", "ocr", "classify", "stamp", "extract"}));
  EXPECT_EQ(c.runtime.at("stamp").workers, 2);
  EXPECT_EQ(c.runtime.at("stamp").endpoint, "inproc://intake/stamp");
  EXPECT_EQ(c.section<StampConfig>("stamp").ink, "blue");
  EXPECT_EQ(c.section<PreprocessConfig>("preprocess").max_skew_deg, 15);
  try {
    registry.load(write_temp("stamp-bad.yaml", "stages:\n  stamp:\n    ink: green\n"));
    ADD_FAILURE() << "a bad ink was taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("stamp-bad.yaml: 'stages.stamp.ink' must be red or blue"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(StageRegistry::builtin().make("stamp", c), ConfigError);

  // A pipeline of the stamp alone, through the real coordinator and worker pool.
  StageRegistry only_stamp;
  only_stamp.add(stamp_entry());
  const Config alone = only_stamp.defaults();
  MemoryLedger ledger;
  zmq::context_t ctx;
  Coordinator coordinator(
      coordinator_options(alone), ledger, std::filesystem::temp_directory_path() / "intake-stamp-q",
      [](const PageSource& p) { return p.relative; }, ctx);
  const auto stage = only_stamp.make("stamp", alone);
  WorkerPool pool(ctx, *stage, coordinator.work_endpoints().at("stamp"), coordinator.results_endpoint(), 1);
  ScanBatch batch{"bstamp", "/in", {}, {}};
  for (int n = 1; n <= 3; ++n)
    batch.pages.push_back(
        {n, "/in/p" + std::to_string(n), "p" + std::to_string(n), 1, "png", sha256_hex(std::to_string(n))});
  const auto r = coordinator.run(batch, "2026-11-27T09:30:00+07:00");
  ASSERT_EQ(r.pages.size(), 3u);
  for (const auto& p : r.pages) EXPECT_EQ(p.flags, std::vector<std::string>{"stamped:red"});
}

}  // namespace intake
