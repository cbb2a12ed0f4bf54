// The coordinator as a state machine, over inproc:// with stages of the test's own that throw,
// stall (a fake clock jumps past the stage timeout), answer late or twice, or die (as a stage
// process does: its crash is in the journal and its answer never comes), and an Env whose disk
// fills up. Each test checks the promise: every page finished exactly once, the ledger's
// attempts charged only for a death or a stall, nothing committed on a stop.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "pipeline/coordinator.h"
#include "pipeline/crash_journal.h"
#include "pipeline/memory_ledger.h"
#include "pipeline/signals.h"
#include "pipeline/tsan.h"
#include "pipeline/wire.h"
#include "pipeline/worker_pool.h"
#include "tests/support/runtime_support.h"

namespace intake {
namespace {

using namespace intake::testing;
using namespace std::chrono_literals;

constexpr const char* kReceived = "2026-11-27T09:30:00+07:00";

// Every page once, in scan order, each through every stage (bar the bad page 7).
void expect_each_page_once(const RunResult& r, int pages) {
  ASSERT_FALSE(r.interrupted);
  ASSERT_EQ(static_cast<int>(r.pages.size()), pages);
  for (int i = 0; i < pages; ++i) {
    const PageItem& p = r.pages[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.number, i + 1);
    if (p.number == 7) {
      EXPECT_EQ(p.error.value_or(""), "ocr: unreadable");
    } else {
      EXPECT_FALSE(p.error) << p.number << ": " << p.error.value_or("");
      EXPECT_EQ(p.text, "preprocess barcode ocr classify extract") << p.number;
    }
  }
}

CoordinatorOptions options_with(int max_in_flight, int max_attempts = 3) {
  auto o = coordinator_options(test_config());
  o.max_in_flight = max_in_flight;
  o.max_attempts = max_attempts;
  return o;
}

struct Rig {
  explicit Rig(const std::string& name, CoordinatorOptions options, bool journal = false)
      : dir(fresh_dir(name)), journal_(journal ? std::make_unique<CrashJournal>(dir / "crashes", "run-test") : nullptr),
        coordinator(std::move(options), ledger, dir / "quarantine", fake_loader(), ctx, journal_.get(), env) {}
  std::filesystem::path dir;
  FakeEnv env;
  MemoryLedger ledger;
  zmq::context_t ctx;
  std::unique_ptr<CrashJournal> journal_;
  Coordinator coordinator;
};

}  // namespace

// A stage that stalls on a page: after the stage timeout (the fake clock jumps 601 s) the page
// is charged one attempt and dispatched again; the stalled worker's late answer is refused.
TEST(Coordinator, StalledPageGoesAgainAfterTheTimeoutAndItsLateAnswerIsRefused) {
  Rig rig("stall-once", options_with(1));
  Gate gate;
  std::atomic<int> stalls{0};
  Pools pools(rig.ctx, rig.coordinator, {}, [&](const std::string& stage, PageItem& p) {
    if (stage == "ocr" && p.number == 3 && p.attempt == 1) {
      ++stalls;
      gate.wait();
    }
  });
  const auto batch = make_batch(20);
  bool advanced = false, released = false;
  RunHooks hooks;
  hooks.on_tick = [&] {
    if (!advanced && stalls.load() == 1) {
      rig.env.advance(601s);
      advanced = true;
    } else if (advanced && !released && !rig.ledger.failures(batch.batch_id, 3).empty()) {
      gate.open();  // now it answers, too late
      released = true;
    }
    return std::vector<std::string>{};
  };
  const auto r = rig.coordinator.run(batch, kReceived, hooks);
  gate.open();
  expect_each_page_once(r, 20);
  EXPECT_EQ(rig.ledger.failures(batch.batch_id, 3), std::vector<std::string>{"ocr: no answer in 600 s"});
  for (const auto& lp : rig.ledger.ledger(batch.batch_id)) EXPECT_EQ(lp.failures, lp.number == 3 ? 1 : 0) << lp.number;
  EXPECT_EQ(r.pages[2].attempt, 2);
  EXPECT_GE(r.results_refused, 1);  // the late answer
}

// A page that stalls its worker every time is quarantined after max_attempts, with the reason;
// the rest of the batch goes on.
TEST(Coordinator, PageThatStallsEveryTimeIsQuarantinedAfterMaxAttempts) {
  Rig rig("stall-always", options_with(1, 3));
  Gate gate;
  std::atomic<int> stalls{0};
  Pools pools(
      rig.ctx, rig.coordinator, {},
      [&](const std::string& stage, PageItem& p) {
        if (stage == "ocr" && p.number == 2) {
          ++stalls;
          gate.wait();
        }
      },
      4);
  const auto batch = make_batch(12);
  int advances = 0, last_done = -1;
  auto last_change = std::chrono::steady_clock::now();
  RunHooks hooks;
  hooks.on_progress = [&](const Progress& p) {
    if (p.done != last_done) last_done = p.done, last_change = std::chrono::steady_clock::now();
  };
  hooks.on_tick = [&] {
    // A page that stalled its worker, or one queued behind a stalled worker (PUSH hands work
    // round robin, a stalled thread's queue included), is "600 s" late at once.
    if (stalls.load() > advances || std::chrono::steady_clock::now() - last_change > 1s) {
      rig.env.advance(601s);
      advances = std::max(advances + 1, stalls.load());
      last_change = std::chrono::steady_clock::now();
    }
    return std::vector<std::string>{};
  };
  const auto r = rig.coordinator.run(batch, kReceived, hooks);
  gate.open();
  ASSERT_EQ(r.pages.size(), 12u);
  EXPECT_EQ(stalls.load(), 3);
  ASSERT_TRUE(r.pages[1].error);
  EXPECT_EQ(*r.pages[1].error,
            "failed 3 times without finishing, it crashes or stalls its worker (last: ocr: no answer in 600 s)");
  std::set<int> quarantined;
  for (const auto& q : r.quarantine) quarantined.insert(q.page_number);
  EXPECT_EQ(quarantined, (std::set<int>{2, 7}));
  for (const auto& p : r.pages) {
    if (p.number != 2 && p.number != 7) {
      EXPECT_EQ(p.text, "preprocess barcode ocr classify extract") << p.number;
    }
  }
}

// A worker process that dies on a page writes the crash journal and never answers: the page is
// charged at once (no waiting for the timeout) and goes again; no other page is charged.
TEST(Coordinator, WorkerThatDiesOnAPageIsChargedAndThePageGoesAgain) {
  Rig rig("crash", options_with(4), true);
  Gate dead;
  const auto journal_file = rig.journal_->file();
  Pools pools(rig.ctx, rig.coordinator, {}, [&](const std::string& stage, PageItem& p) {
    if (stage == "barcode" && p.number == 4 && p.attempt == 1) {
      std::ofstream(journal_file, std::ios::app) << format_crash_entry({p.batch_id, p.number, p.token, stage, SIGSEGV});
      dead.wait();  // as good as dead: this answer never comes
      throw std::runtime_error("never seen");
    }
  });
  const auto batch = make_batch(10);
  RunHooks hooks;
  hooks.on_tick = [&] {
    if (!rig.ledger.failures(batch.batch_id, 4).empty()) dead.open();
    return std::vector<std::string>{};
  };
  const auto r = rig.coordinator.run(batch, kReceived, hooks);
  dead.open();
  expect_each_page_once(r, 10);
  EXPECT_EQ(rig.ledger.failures(batch.batch_id, 4), std::vector<std::string>{"barcode: worker died of SIGSEGV"});
  for (const auto& lp : rig.ledger.ledger(batch.batch_id)) EXPECT_EQ(lp.failures, lp.number == 4 ? 1 : 0) << lp.number;
}

// A peer that answers every page twice (a replay): the first is taken, the second refused.
TEST(Coordinator, AnswerSentTwiceIsTakenOnce) {
  Rig rig("twice", options_with(4));
  // Every stage but the last in threads; the last is a raw worker that sends each result twice.
  Pools pools(rig.ctx, rig.coordinator, {}, {}, 2, {"extract"});
  std::atomic<bool> stop{false};
  std::thread twice([&] {
    zmq::socket_t pull(rig.ctx, zmq::socket_type::dealer), push(rig.ctx, zmq::socket_type::push);
    pull.set(zmq::sockopt::linger, 0);
    push.set(zmq::sockopt::linger, 0);
    pull.connect(rig.coordinator.work_endpoints().at("extract"));
    push.connect(rig.coordinator.results_endpoint());
    std::vector<zmq::message_t> frames;
    auto ask = [&] { pull.send(zmq::message_t(wire::kReady.data(), wire::kReady.size()), zmq::send_flags::none); };
    ask();
    while (!stop.load()) {
      if (!poll_in(pull, 20ms) || !recv_frames(pull, frames, wire::kFrameCount + 1)) continue;
      after_zmq_receive();
      auto decoded = wire::decode(frames);
      auto* env = std::get_if<wire::Envelope>(&decoded);
      if (!env) continue;
      env->page.text += " extract";
      for (int copy = 0; copy < 2; ++copy) {
        auto out = wire::encode(*env);
        before_zmq_send();
        for (std::size_t i = 0; i < out.size(); ++i)
          push.send(out[i], i + 1 < out.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
      ask();
    }
  });
  const auto r = rig.coordinator.run(make_batch(16), kReceived);
  stop.store(true);
  twice.join();
  expect_each_page_once(r, 16);
  EXPECT_GE(r.results_refused, 1);
}

// A stop request: no new dispatch, the pages in flight are waited for and saved, nothing is
// committed; the next run of the same coordinator takes the saved pages from the ledger.
TEST(Coordinator, StopDrainsThePagesInFlightCommitsNothingAndTheNextRunResumes) {
  Rig rig("stop", options_with(3));
  Pools pools(rig.ctx, rig.coordinator);
  const auto batch = make_batch(30);
  RunHooks hooks;
  int in_flight_at_stop = -1, done_at_stop = -1;
  hooks.on_progress = [&](const Progress& p) {
    if (in_flight_at_stop < 0 && p.done >= 5) {
      in_flight_at_stop = p.in_flight;
      done_at_stop = p.done;
      request_stop();
    }
  };
  const auto stopped = rig.coordinator.run(batch, kReceived, hooks);
  clear_stop_request();
  EXPECT_TRUE(stopped.interrupted);
  EXPECT_TRUE(stopped.pages.empty());
  int saved = 0;
  for (const auto& lp : rig.ledger.ledger(batch.batch_id)) {
    if (lp.state == "pending") continue;
    ++saved;
    EXPECT_TRUE(lp.result) << lp.number;
  }
  EXPECT_GE(saved, done_at_stop);
  EXPECT_LE(saved, done_at_stop + in_flight_at_stop);  // drained: in flight finished, none new
  EXPECT_LT(saved, 30);

  const auto resumed = rig.coordinator.run(batch, kReceived);
  expect_each_page_once(resumed, 30);
  EXPECT_EQ(resumed.pages_resumed, saved);
}

// The disk fills while a page is copied to quarantine: the page is still quarantined, with its
// reason, and the batch completes; with room, the copy is whole.
TEST(Coordinator, FullDiskWhileCopyingToQuarantineStillQuarantinesThePage) {
  Rig rig("full-disk", options_with(4));
  const auto scans = rig.dir / "scans";
  std::filesystem::create_directories(scans);
  const auto batch = make_batch(8, scans);
  for (const auto& p : batch.pages) std::ofstream(p.file) << "scan of " << p.relative;
  Pools pools(rig.ctx, rig.coordinator);
  rig.env.disk_full = true;
  const auto r = rig.coordinator.run(batch, kReceived);
  expect_each_page_once(r, 8);
  ASSERT_EQ(r.quarantine.size(), 1u);
  EXPECT_EQ(r.quarantine[0].reason, "ocr: unreadable");
  EXPECT_EQ(r.quarantine[0].stored_path, "");
  EXPECT_FALSE(std::filesystem::exists(rig.dir / "quarantine" / batch.batch_id / "bad_7.png"));

  rig.env.disk_full = false;
  auto again = make_batch(8, scans);
  again.batch_id = "bruntime8-again";
  const auto r2 = rig.coordinator.run(again, kReceived);
  ASSERT_EQ(r2.quarantine.size(), 1u);
  const auto copy = rig.dir / "quarantine" / again.batch_id / "bad_7.png";
  EXPECT_EQ(r2.quarantine[0].stored_path, copy.string());
  std::ifstream in(copy);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "scan of bad_7.png");
}

}  // namespace intake
