// The batch service as `intake serve` will use it: built once, batches queued with submit(), each
// followed by a listener from queued to finished, in order, on the real stages and store.
#include "pipeline/service/batch_service.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <unistd.h>

#include <gtest/gtest.h>

#include "stages/barcode.h"
#include "stages/sections.h"

namespace intake {
namespace {

const std::filesystem::path kSource = INTAKE_SOURCE_DIR;

struct Heard {
  BatchEvent::Kind kind;
  std::uint64_t ticket;
  std::string batch_id;
  int done = 0, total = 0;
  std::size_t records = 0;
  bool already_committed = false;
  std::string input;
};

}  // namespace

TEST(BatchService, QueuedBatchesRunInOrderAndTheirListenersHearEachStep) {
  const auto dir = std::filesystem::temp_directory_path() / ("intake-service-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Config config = load_intake_config(kSource / "configs/default.yaml");
  auto barcode = config.section<BarcodeConfig>("barcode");
  barcode.sandbox_path = INTAKE_SANDBOX;
  config.set_section("barcode", barcode);
  BatchService service(config, {dir / "store.db"});

  std::mutex mutex;
  std::vector<Heard> heard;
  auto listener = [&](const BatchEvent& e) {
    std::lock_guard lock(mutex);
    Heard h{e.kind, e.ticket, e.batch_id, e.progress.done, e.progress.total};
    h.input = e.input;
    if (e.outcome) h.records = e.outcome->dossiers.size(), h.already_committed = e.outcome->run.already_committed;
    heard.push_back(h);
  };
  const BatchRequest request{{kSource / "samples/batch-01"}, "2026-11-27T09:30:00+07:00"};
  const auto first = service.submit(request, listener);
  const auto second = service.submit(request, listener);  // the same scans: committed by then
  EXPECT_LT(first, second);
  for (int i = 0; i < 1200 && service.pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(service.pending(), 0u);

  std::lock_guard lock(mutex);
  auto of = [&](std::uint64_t ticket) {
    std::vector<Heard> out;
    std::copy_if(heard.begin(), heard.end(), std::back_inserter(out),
                 [&](const Heard& h) { return h.ticket == ticket; });
    return out;
  };
  const auto one = of(first), two = of(second);
  ASSERT_GE(one.size(), 4u);  // queued, started, progress..., finished
  EXPECT_EQ(one.front().kind, BatchEvent::Kind::queued);
  EXPECT_EQ(one[1].kind, BatchEvent::Kind::started);
  // From started on the batch is known by its id; queued and started say what it is.
  EXPECT_EQ(one[1].batch_id.size(), 17u);
  EXPECT_EQ(one[1].batch_id, one.back().batch_id);
  EXPECT_EQ(one[1].total, 15);
  EXPECT_EQ(std::filesystem::path(one.front().input).filename(), "batch-01");
  EXPECT_EQ(one[1].input, one.front().input);
  EXPECT_EQ(one.back().kind, BatchEvent::Kind::finished);
  EXPECT_EQ(one.back().records, 4u);
  EXPECT_FALSE(one.back().already_committed);
  const auto last_progress =
      std::find_if(one.rbegin(), one.rend(), [](const Heard& h) { return h.kind == BatchEvent::Kind::progress; });
  ASSERT_NE(last_progress, one.rend());
  EXPECT_EQ(last_progress->done, 15);
  EXPECT_EQ(last_progress->total, 15);
  for (std::size_t i = 2; i + 1 < one.size(); ++i) EXPECT_EQ(one[i].kind, BatchEvent::Kind::progress);
  // The second batch started only after the first finished, and found it committed.
  const auto first_finished = std::find_if(heard.begin(), heard.end(), [&](const Heard& h) {
    return h.ticket == first && h.kind == BatchEvent::Kind::finished;
  });
  const auto second_started = std::find_if(heard.begin(), heard.end(), [&](const Heard& h) {
    return h.ticket == second && h.kind == BatchEvent::Kind::started;
  });
  EXPECT_LT(first_finished - heard.begin(), second_started - heard.begin());
  ASSERT_FALSE(two.empty());
  EXPECT_EQ(two.back().kind, BatchEvent::Kind::finished);
  EXPECT_TRUE(two.back().already_committed);
  EXPECT_EQ(two.back().records, 4u);
  EXPECT_EQ(one.back().batch_id, two.back().batch_id);

  // A batch that fails (no such input) is heard as failed, and run() rethrows; the service goes on.
  bool failed = false;
  EXPECT_THROW(service.run({{dir / "no-such-folder"}, "2026-11-27T09:30:00+07:00"},
                           [&](const BatchEvent& e) { failed |= e.kind == BatchEvent::Kind::failed; }),
               std::exception);
  EXPECT_TRUE(failed);
  EXPECT_EQ(service.run(request).dossiers.size(), 4u);
}

}  // namespace intake
