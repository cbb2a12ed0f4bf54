// What the dossier store's tests share: a clock the test moves, and a fresh store file.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "pipeline/env.h"

namespace intake::testing {

// 2026-12-01 08:00 in Asia/Ho_Chi_Minh, until the test moves it.
struct Clock : Env {
  std::chrono::system_clock::time_point t =
      std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{1};
  std::chrono::system_clock::time_point wall_now() const override { return t; }
};

// A store file of that name under the temp folder `folder`, with no store in it yet.
inline std::filesystem::path fresh_db(const std::string& folder, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / folder;
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  return file;
}

}  // namespace intake::testing
