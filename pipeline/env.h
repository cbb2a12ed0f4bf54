// Env: the coordinator's view of time and files, so that a test can fake a hang (a clock that
// jumps past the stage timeout), a late answer, 15:00 on the day before Tết, or a full disk
// while a page is copied to quarantine. In the manner of leveldb's Env: the real one is
// Env::real(); tests derive from it and override what they fake.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
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

  static const Env& real();
};

}  // namespace intake
