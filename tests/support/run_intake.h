// Test support: runs the real `intake` binary as a child process and reads what it wrote.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace intake::testing {

struct Exit {
  int status = -1;   // exit status, or -1 when killed
  int signal = 0;
  long peak_rss_kb = 0;  // the process's peak resident size (getrusage of the child)
  std::string output;  // stdout and stderr
  bool timed_out = false;  // stopped by the test for taking longer than its limit
};

// Long enough for any run of the samples, also under a sanitizer; a hung run fails its test
// instead of holding CI until ctest's timeout.
inline constexpr std::chrono::seconds kRunLimit{600};

// Runs INTAKE_BIN with args and waits.
Exit run_intake(const std::vector<std::string>& args, std::chrono::seconds limit = kRunLimit);
// Starts it without waiting; returns the pid. Output goes to `log`.
int start_intake(const std::vector<std::string>& args, const std::filesystem::path& log);
Exit wait_for(int pid, std::chrono::seconds limit = kRunLimit);

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file);
// A record without what legitimately differs between two runs of the same batch (OCR confidences,
// the page's and its evidence's).
nlohmann::json comparable(nlohmann::json record);
// A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range (so no outgoing
// connection takes it meanwhile), and not given before in this process.
int free_tcp_port();
// A fresh empty directory under the system temp dir.
std::filesystem::path fresh_dir(const std::string& name);
// Character error rate of `got` against `truth` (NFC, white space collapsed), 0..1+.
double cer(const std::string& truth, const std::string& got);
// Share of the truth's words (NFC, white-space separated) found in `got`, in any order.
double word_recall(const std::string& truth, const std::string& got);

}  // namespace intake::testing
