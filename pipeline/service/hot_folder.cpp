#include "pipeline/service/hot_folder.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipeline/dossier/local_time.h"
#include "pipeline/signals.h"
#include "pipeline/text.h"

namespace intake {
namespace {

// Names, sizes and modification times of an entry's files: what changes while a copy goes on.
std::vector<std::pair<std::string, std::uintmax_t>> fingerprint(const std::filesystem::path& p) {
  std::vector<std::pair<std::string, std::uintmax_t>> f;
  std::error_code ec;
  auto add = [&](const std::filesystem::path& file) {
    f.emplace_back(file.string(), std::filesystem::file_size(file, ec));
    f.emplace_back("",
                   static_cast<std::uintmax_t>(std::filesystem::last_write_time(file, ec).time_since_epoch().count()));
  };
  if (std::filesystem::is_directory(p, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(p, ec))
      if (e.is_regular_file(ec)) add(e.path());
  } else {
    add(p);
  }
  std::sort(f.begin(), f.end());
  return f;
}

}  // namespace

HotFolder::HotFolder(BatchService& service, HotFolderOptions options, BatchListener listener)
    : service_(service), options_(std::move(options)), listener_(std::move(listener)) {
  if (!std::filesystem::is_directory(options_.dir))
    throw std::runtime_error(options_.dir.string() + ": not a directory");
  thread_ = std::thread([this] { watch(); });
}

HotFolder::~HotFolder() { stop(); }

void HotFolder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HotFolder::watch() {
  spdlog::info("watching {} (a batch is taken once unchanged for {} ms)", options_.dir.string(),
               options_.settle.count());
  while (!stopped_ && !stop_requested()) {
    try {
      scan_once();
    } catch (const std::exception& e) {  // the folder itself went away or cannot be read
      spdlog::error("hot folder {}: {}", options_.dir.string(), e.what());
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.poll, [&] { return stopped_.load(); });
  }
  stopped_ = true;
}

void HotFolder::scan_once() {
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(options_.dir)) {
    const auto name = e.path().filename().string();
    if (!name.empty() && name[0] != '.') entries.push_back(e.path());
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return text::natural_less(a.filename().string(), b.filename().string());
  });
  for (const auto& entry : entries) {
    if (stopped_ || stop_requested()) return;
    const auto key = entry.string();
    const auto fp = fingerprint(entry);
    if (fp.empty() || done_[key] == fp) continue;
    std::error_code ec;
    if (!options_.marker.empty() && std::filesystem::is_directory(entry, ec) &&
        !std::filesystem::exists(entry / options_.marker, ec))
      continue;  // the scanner has not said the folder is complete
    auto& [last_fp, since] = seen_[key];
    if (last_fp != fp) {
      last_fp = fp;
      since = std::chrono::steady_clock::now();
      continue;
    }
    if (std::chrono::steady_clock::now() - since < options_.settle) continue;
    BatchRequest request{{entry}, options_.received_at ? options_.received_at() : LocalTime::now().iso()};
    request.extend_grown = true;
    try {
      const BatchOutcome outcome = service_.run(request, listener_);
      if (outcome.run.interrupted) {
        stopped_ = true;
        return;
      }
    } catch (const std::exception& e) {
      spdlog::error("{}: {}", text::printable(key), e.what());
    }
    done_[key] = fp;  // a failed batch: not again until it changes
  }
}

}  // namespace intake
