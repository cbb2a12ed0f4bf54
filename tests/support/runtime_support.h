// What the runtime's own tests share: a config of five test stages (no dossier domain, no OCR),
// stages that mark each page and can be told to throw, stall or die, a batch of fake scans,
// worker pools for them, and an Env whose clock and disk the test controls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <unistd.h>

#include <opencv2/core.hpp>
#include <zmq.hpp>

#include "pipeline/config.h"
#include "pipeline/coordinator.h"
#include "pipeline/env.h"
#include "pipeline/hash.h"
#include "pipeline/stage.h"
#include "pipeline/worker_pool.h"

namespace intake::testing {

inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("intake-runtime-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline const std::vector<std::string>& test_stage_names() {
  static const std::vector<std::string> names{"preprocess", "barcode", "ocr", "classify", "extract"};
  return names;
}

// A config of the test stages, none with settings of its own: the runtime needs no more.
inline Config test_config() {
  std::vector<SectionSpec> specs;
  for (const auto& name : test_stage_names())
    specs.push_back(SectionSpec::of<int>(name, true, [](ConfigSection&, int&) {}));
  return default_config(specs);
}

// Appends its name to the page's text, after running `script` (which may throw, block or
// record a crash); preprocess turns the "scan" into a small working image. A page whose source
// file holds "bad" fails in ocr.
class ScriptedStage : public Stage {
 public:
  using Script = std::function<void(const std::string& stage, PageItem& page)>;
  ScriptedStage(std::string name, Script script) : name_(std::move(name)), script_(std::move(script)) {}
  std::string_view name() const override { return name_; }
  void process(PageItem& page, WorkerState*) const override {
    if (script_) script_(name_, page);
    if (name_ == "preprocess") {
      page.work = cv::Mat(8, 16, CV_8UC1, cv::Scalar(static_cast<int>(page.original.size() % 256)));
      page.original.clear();
    }
    if (name_ == "ocr" && page.source_file.find("bad") != std::string::npos) throw std::runtime_error("unreadable");
    page.text += (page.text.empty() ? "" : " ") + name_;
  }

 private:
  std::string name_;
  Script script_;
};

// Page 7 is "bad_7.png" (fails in ocr); the others "scan_N.png". Files under `dir` when given.
inline ScanBatch make_batch(int pages, const std::filesystem::path& dir = "/in") {
  ScanBatch b;
  b.batch_id = "bruntime" + std::to_string(pages);
  b.input = dir;
  for (int n = 1; n <= pages; ++n) {
    PageSource p;
    p.number = n;
    p.relative = (n == 7 ? "bad_" : "scan_") + std::to_string(n) + ".png";
    p.file = dir / p.relative;
    p.format = "png";
    p.content_hash = sha256_hex(p.relative);
    b.pages.push_back(p);
  }
  return b;
}

inline PageLoader fake_loader() {
  return [](const PageSource& p) { return "scan of " + p.relative; };
}

struct Pools {
  std::vector<std::unique_ptr<Stage>> stages;
  std::vector<std::unique_ptr<WorkerPool>> pools;
  Pools(zmq::context_t& ctx, const Coordinator& c, const CurveSetup& curve = {}, ScriptedStage::Script script = {},
        int workers = 2, const std::vector<std::string>& skip = {}) {
    for (const auto& name : c.options().stages) {
      if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
      stages.push_back(std::make_unique<ScriptedStage>(name, script));
      pools.push_back(std::make_unique<WorkerPool>(ctx, *stages.back(), c.work_endpoints().at(name),
                                                   c.results_endpoint(), workers, 64 << 20, curve));
    }
  }
};

// A steady clock that moves only when the test says (a hang is "600 s later" at once), and a
// disk that can be full.
class FakeEnv : public Env {
 public:
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{} + std::chrono::hours(1) + std::chrono::seconds(offset_s_.load());
  }
  std::filesystem::path copy_into(const std::filesystem::path& file, const std::filesystem::path& dir,
                                  const std::string& name, std::error_code& ec) const override {
    if (disk_full.load()) {
      ec = std::make_error_code(std::errc::no_space_on_device);
      return {};
    }
    return Env::copy_into(file, dir, name, ec);
  }
  void advance(std::chrono::seconds s) { offset_s_ += s.count(); }
  std::atomic<bool> disk_full{false};

 private:
  std::atomic<long long> offset_s_{0};
};

// Lets stage threads block until the test releases them (a stalled worker that comes back late).
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    open_cv_.wait_for(lock, std::chrono::seconds(60), [&] { return open_; });
    --waiting_;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    open_cv_.notify_all();
  }
  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_cv_;
  bool open_ = false;
  int waiting_ = 0;
};

}  // namespace intake::testing
