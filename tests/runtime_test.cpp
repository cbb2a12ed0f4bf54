// The runtime alone: Coordinator and WorkerPools over real ZeroMQ sockets (inproc://, and
// tcp://127.0.0.1:* with CURVE), a real store, and small stages of the test's own that mark each
// page, so every route, the ledger, errors and refused answers are checked without OCR in the way.
// Cheap enough to run under ASan/UBSan and TSan in CI.
#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "pipeline/coordinator.h"
#include "pipeline/curve.h"
#include "pipeline/hash.h"
#include "pipeline/store.h"
#include "pipeline/tsan.h"
#include "pipeline/wire.h"
#include "pipeline/worker_pool.h"

namespace intake {
namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("intake-runtime-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Appends its name to the page's text; preprocess turns the "scan" into a small working image.
// A page whose source file holds "bad" fails in ocr.
class MarkingStage : public Stage {
 public:
  explicit MarkingStage(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  void process(PageItem& page, WorkerState*) const override {
    if (name_ == "preprocess") {
      page.work = cv::Mat(8, 16, CV_8UC1, cv::Scalar(static_cast<int>(page.original.size() % 256)));
      page.original.clear();
    }
    if (name_ == "ocr" && page.source_file.find("bad") != std::string::npos) throw std::runtime_error("unreadable");
    page.text += (page.text.empty() ? "" : " ") + name_;
  }

 private:
  std::string name_;
};

ScanBatch make_batch(int pages) {
  ScanBatch b;
  b.batch_id = "bruntime" + std::to_string(pages);
  b.input = "/in";
  for (int n = 1; n <= pages; ++n) {
    PageSource p;
    p.number = n;
    p.relative = (n == 7 ? "bad_" : "scan_") + std::to_string(n) + ".png";
    p.file = "/in/" + p.relative;
    p.format = "png";
    p.content_hash = sha256_hex(p.relative);
    b.pages.push_back(p);
  }
  return b;
}

BatchSink sink_into(std::vector<PageItem>& committed, Store& store) {
  BatchSink sink;
  sink.commit = [&committed, &store](const std::vector<PageItem>& pages, const BatchContext& ctx) {
    committed = pages;
    std::vector<nlohmann::json> records;
    for (const auto& p : pages)
      records.push_back({{"received_at", ctx.received_at}, {"dossier_code", nullptr}, {"tracking_number", nullptr},
                         {"pages", {{{"number", p.number}, {"text", p.text}}}}});
    store.commit_dossiers(ctx.batch_id, records, "");
    return store.dossiers(ctx.batch_id);
  };
  sink.committed = [&store](const std::string& id) { return store.dossiers(id); };
  return sink;
}

struct Pools {
  std::vector<std::unique_ptr<Stage>> stages;
  std::vector<std::unique_ptr<WorkerPool>> pools;
  Pools(zmq::context_t& ctx, const Coordinator& c, const CurveSetup& curve = {}) {
    for (const auto& name : kPageStages) {
      stages.push_back(std::make_unique<MarkingStage>(name));
      pools.push_back(std::make_unique<WorkerPool>(ctx, *stages.back(), c.work_endpoints().at(name),
                                                   c.results_endpoint(), 2, 64 << 20, curve));
    }
  }
};

void expect_every_page_through_every_stage(const RunResult& r, const std::vector<PageItem>& committed, int pages) {
  EXPECT_FALSE(r.interrupted);
  ASSERT_EQ(static_cast<int>(committed.size()), pages);
  for (const auto& p : committed) {
    if (p.number == 7) {
      ASSERT_TRUE(p.error.has_value());
      EXPECT_EQ(*p.error, "ocr: unreadable");
    } else {
      EXPECT_FALSE(p.error) << *p.error;
      EXPECT_EQ(p.text, "preprocess barcode ocr classify extract") << p.number;
    }
  }
  ASSERT_EQ(r.quarantine.size(), 1u);
  EXPECT_EQ(r.quarantine[0].page_number, 7);
}

}  // namespace

TEST(Runtime, InprocRoutesEveryPageThroughEveryStageAndCommitsOnce) {
  const auto dir = fresh_dir("runtime-inproc");
  const Config config = default_config();
  Store store(dir / "store.db");
  std::vector<PageItem> committed;
  zmq::context_t ctx;
  CrashJournal journal(dir / "crashes", "run-test");
  Coordinator coordinator(config, store, dir / "quarantine", [](const PageSource& p) { return "scan of " + p.relative; },
                          sink_into(committed, store), ctx, &journal);
  Pools pools(ctx, coordinator);
  const auto batch = make_batch(40);
  const auto r = coordinator.run(batch, "2026-11-27T09:30:00+07:00");
  expect_every_page_through_every_stage(r, committed, 40);
  EXPECT_EQ(r.results_refused, 0);
  EXPECT_EQ(store.batch(batch.batch_id)->state, "committed");
  // Again: committed already, nothing redone.
  committed.clear();
  const auto again = coordinator.run(batch, "2026-11-27T09:30:00+07:00");
  EXPECT_TRUE(again.already_committed);
  EXPECT_TRUE(committed.empty());
}

// A stranger's answers (no dispatch token, a replay) are dropped and counted, never committed.
TEST(Runtime, AnswersToNoDispatchInFlightAreRefused) {
  const auto dir = fresh_dir("runtime-forged");
  const Config config = default_config();
  Store store(dir / "store.db");
  std::vector<PageItem> committed;
  zmq::context_t ctx;
  Coordinator coordinator(config, store, dir / "quarantine", [](const PageSource& p) { return "scan of " + p.relative; },
                          sink_into(committed, store), ctx);
  std::atomic<bool> stop{false};
  std::thread forger([&] {
    zmq::socket_t push(ctx, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 0);
    push.connect(coordinator.results_endpoint());
    while (!stop.load()) {
      for (int n = 1; n <= 12; ++n) {
        PageItem p;
        p.batch_id = "bruntime12";
        p.number = n;
        p.content_hash = sha256_hex((n == 7 ? "bad_" : "scan_") + std::to_string(n) + ".png");
        p.text = "FORGED";
        p.token = "0123456789abcdef0123456789abcdef";
        auto frames = wire::encode({"extract", p});
        before_zmq_send();
        for (std::size_t i = 0; i < frames.size(); ++i)
          push.send(frames[i], (i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                                   zmq::send_flags::dontwait);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  Pools pools(ctx, coordinator);
  const auto r = coordinator.run(make_batch(12), "2026-11-27T09:30:00+07:00");
  stop.store(true);
  forger.join();
  expect_every_page_through_every_stage(r, committed, 12);
  EXPECT_GT(r.results_refused, 0);
  for (const auto& p : committed) EXPECT_EQ(p.text.find("FORGED"), std::string::npos);
}

TEST(Runtime, OverTcpWithCurveRoutesEveryPageAndTurnsAwayAnUnknownKey) {
  const auto dir = fresh_dir("runtime-tcp");
  Config config = default_config();
  config.transport.kind = "tcp";
  config.transport.results = "tcp://127.0.0.1:*";
  for (auto& [name, rt] : config.runtime) rt.endpoint = "tcp://127.0.0.1:*";
  Store store(dir / "store.db");
  std::vector<PageItem> committed;
  zmq::context_t ctx;
  const auto keys = ephemeral_curve();
  ZapAuthenticator zap(ctx, keys.coordinator.authorized);
  Coordinator coordinator(config, store, dir / "quarantine", [](const PageSource& p) { return "scan of " + p.relative; },
                          sink_into(committed, store), ctx, nullptr, keys.coordinator);
  // A stranger with a key of its own tries to take work.
  zmq::context_t stranger_ctx;
  zmq::socket_t thief(stranger_ctx, zmq::socket_type::pull);
  thief.set(zmq::sockopt::linger, 0);
  CurveSetup stranger{true, generate_curve_keys(), keys.coordinator.own.public_key, {}};
  make_curve_client(thief, stranger);
  thief.connect(coordinator.work_endpoints().at("preprocess"));
  Pools pools(ctx, coordinator, keys.worker);
  const auto r = coordinator.run(make_batch(20), "2026-11-27T09:30:00+07:00");
  expect_every_page_through_every_stage(r, committed, 20);
  zmq::message_t m;
  EXPECT_FALSE(thief.recv(m, zmq::recv_flags::dontwait));
  for (int i = 0; i < 100 && zap.refused() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(zap.refused(), 1);
}

}  // namespace intake
