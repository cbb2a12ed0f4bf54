// The runtime alone: Coordinator and WorkerPools over real ZeroMQ sockets (inproc://, and
// tcp://127.0.0.1:* with CURVE), an in-memory ledger, and small stages of the test's own that
// mark each page, so every route, the ledger, errors and refused answers are checked without
// OCR or the dossier domain in the way. Cheap enough to run under ASan/UBSan and TSan in CI.
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "pipeline/coordinator.h"
#include "pipeline/curve.h"
#include "pipeline/env.h"
#include "pipeline/hash.h"
#include "pipeline/memory_ledger.h"
#include "pipeline/tsan.h"
#include "pipeline/wire.h"
#include "pipeline/worker_pool.h"
#include "tests/support/runtime_support.h"

namespace intake {
namespace {

using namespace intake::testing;

void expect_every_page_through_every_stage(const RunResult& r, int pages) {
  EXPECT_FALSE(r.interrupted);
  const std::vector<PageItem>& committed = r.pages;
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
  const Config config = test_config();
  MemoryLedger ledger;
  zmq::context_t ctx;
  CrashJournal journal(dir / "crashes", "run-test");
  Coordinator coordinator(coordinator_options(config), ledger, dir / "quarantine", fake_loader(), ctx, &journal);
  Pools pools(ctx, coordinator);
  const auto batch = make_batch(40);
  const auto r = coordinator.run(batch, "2026-11-27T09:30:00+07:00");
  expect_every_page_through_every_stage(r, 40);
  EXPECT_EQ(r.results_refused, 0);
  for (const auto& lp : ledger.ledger(batch.batch_id)) {
    EXPECT_EQ(lp.state, lp.number == 7 ? "quarantined" : "processed") << lp.number;
    EXPECT_EQ(lp.failures, 0) << lp.number;  // an error is not an attempt: quarantined at once
  }
  ledger.commit(batch.batch_id);
  // Again: committed already, nothing redone.
  const auto again = coordinator.run(batch, "2026-11-27T09:30:00+07:00");
  EXPECT_TRUE(again.already_committed);
  EXPECT_TRUE(again.pages.empty());
}

// A stranger's answers (no dispatch token, a replay) are dropped and counted, never committed.
TEST(Runtime, AnswersToNoDispatchInFlightAreRefused) {
  const auto dir = fresh_dir("runtime-forged");
  const Config config = test_config();
  MemoryLedger ledger;
  zmq::context_t ctx;
  Coordinator coordinator(coordinator_options(config), ledger, dir / "quarantine", fake_loader(), ctx);
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
  expect_every_page_through_every_stage(r, 12);
  EXPECT_GT(r.results_refused, 0);
  for (const auto& p : r.pages) EXPECT_EQ(p.text.find("FORGED"), std::string::npos);
}

TEST(Runtime, OverTcpWithCurveRoutesEveryPageAndTurnsAwayAnUnknownKey) {
  const auto dir = fresh_dir("runtime-tcp");
  Config config = test_config();
  config.transport.kind = "tcp";
  config.transport.results = "tcp://127.0.0.1:*";
  for (auto& [name, rt] : config.runtime) rt.endpoint = "tcp://127.0.0.1:*";
  MemoryLedger ledger;
  zmq::context_t ctx;
  const auto keys = ephemeral_curve();
  ZapAuthenticator zap(ctx, keys.coordinator.authorized);
  auto options = coordinator_options(config);
  options.curve = keys.coordinator;
  Coordinator coordinator(options, ledger, dir / "quarantine", fake_loader(), ctx);
  // The ports were asked of the system: read them back.
  for (const auto& [name, ep] : coordinator.work_endpoints()) EXPECT_NE(ep.find("tcp://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(coordinator.results_endpoint().find("*"), std::string::npos);
  // A stranger with a key of its own tries to take work.
  zmq::context_t stranger_ctx;
  zmq::socket_t thief(stranger_ctx, zmq::socket_type::pull);
  thief.set(zmq::sockopt::linger, 0);
  CurveSetup stranger{true, generate_curve_keys(), keys.coordinator.own.public_key, {}};
  make_curve_client(thief, stranger);
  thief.connect(coordinator.work_endpoints().at("preprocess"));
  Pools pools(ctx, coordinator, keys.worker);
  const auto r = coordinator.run(make_batch(20), "2026-11-27T09:30:00+07:00");
  expect_every_page_through_every_stage(r, 20);
  zmq::message_t m;
  EXPECT_FALSE(thief.recv(m, zmq::recv_flags::dontwait));
  for (int i = 0; i < 100 && zap.refused() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(zap.refused(), 1);
}

}  // namespace intake

namespace intake {

TEST(Env, AnExportIsWrittenWholeReplacesTheOldOneAndLeavesNoPartialFile) {
  const auto dir = std::filesystem::temp_directory_path() / "intake-env-test";
  std::filesystem::remove_all(dir);
  const auto file = dir / "out" / "records.jsonl";
  write_export(file, "first\n");
  write_export(file, "second\n");
  std::ifstream in(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "second\n");
  for (const auto& e : std::filesystem::directory_iterator(dir / "out"))
    EXPECT_EQ(e.path().filename(), "records.jsonl");
  // A folder that cannot be made (a file is in the way): a clear error, nothing written.
  std::ofstream(dir / "blocker") << "x";
  try {
    write_export(dir / "blocker" / "report.csv", "x");
    FAIL() << "wrote under a file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("blocker/report.csv: cannot write"), std::string::npos) << e.what();
  }
}

}  // namespace intake
