// HotFolder: the mailroom's scanner folder, watched on a thread of its own. Every top-level file,
// and every top-level folder, is one batch once its files have stopped changing for `settle`
// (and, with a marker, once the folder holds that file, which the scanner writes last). Each is
// run by the batch service, after whatever else is queued there (a browser upload, say).
// Batches are idempotent, so an entry seen again after a restart is not processed twice; a
// folder that grows after its batch was taken (a copy that paused longer than the settle time)
// extends that batch: its dossiers are updated in place. A batch that fails is logged and not
// tried again until its files change. `intake watch` and `intake serve` use it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/service/batch_service.h"

namespace intake {

struct HotFolderOptions {
  std::filesystem::path dir;
  std::chrono::milliseconds settle{3000};
  std::string marker;  // empty: no marker
  std::chrono::milliseconds poll{1000};
  // Received time of a batch taken now (ISO 8601 with offset).
  std::function<std::string()> received_at;
};

class HotFolder {
 public:
  // Starts watching; throws std::runtime_error when `dir` is not a folder. `listener` hears each
  // of its batches (the service's observers hear them too).
  HotFolder(BatchService& service, HotFolderOptions options, BatchListener listener = {});
  ~HotFolder();  // stop()
  HotFolder(const HotFolder&) = delete;
  HotFolder& operator=(const HotFolder&) = delete;

  // Stops after the batch running, if any. Also when a batch was interrupted (a stop signal).
  void stop();
  bool stopped() const { return stopped_; }
  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  using Fingerprint = std::vector<std::pair<std::string, std::uintmax_t>>;
  void watch();
  void scan_once();

  BatchService& service_;
  const HotFolderOptions options_;
  const BatchListener listener_;
  std::map<std::string, std::pair<Fingerprint, std::chrono::steady_clock::time_point>> seen_;
  std::map<std::string, Fingerprint> done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace intake
