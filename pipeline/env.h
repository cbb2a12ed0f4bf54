// Env: the program's view of time and files, so that a test can fake a hang (a clock that
// jumps past the stage timeout), a late answer, 15:00 on the day before Tết, or a full disk
// while a page is copied to quarantine or an export is written. In the manner of leveldb's Env:
// the real one is Env::real(); tests derive from it and override what they fake. The
// coordinator, the store (the times it writes) and the exports (records, reports) go through it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace intake {

class Env {
 public:
  virtual ~Env() = default;
  // Monotonic time: timeouts and durations.
  virtual std::chrono::steady_clock::time_point steady_now() const { return std::chrono::steady_clock::now(); }
  // Wall time: when something happened (records, ledger, audit).
  virtual std::chrono::system_clock::time_point wall_now() const { return std::chrono::system_clock::now(); }
  // Copies a regular file (never what a link points to) into folder `dir` as `name`, making
  // the folder; an existing copy is kept. Returns the copy, or sets ec and returns {}.
  virtual std::filesystem::path copy_into(const std::filesystem::path& file, const std::filesystem::path& dir,
                                          const std::string& name, std::error_code& ec) const;

  // Writes `bytes` to `file` whole or not at all: through a temporary file beside it, flushed to
  // disk, then renamed over it (making the folder). Sets ec when it cannot (a full disk: the
  // file as it was is kept).
  virtual void write_file(const std::filesystem::path& file, std::string_view bytes, std::error_code& ec) const;

  static const Env& real();
};

// An export (records, a report, stats) written whole through env.write_file; throws
// std::runtime_error "FILE: cannot write: WHY".
void write_export(const std::filesystem::path& file, std::string_view bytes, const Env& env = Env::real());

}  // namespace intake
