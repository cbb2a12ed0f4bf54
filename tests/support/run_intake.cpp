#include "tests/support/run_intake.h"

#include <chrono>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "pipeline/text.h"
#include "tools/intake/eval_score.h"

extern char** environ;

namespace intake::testing {
namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

int start_intake(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> all{INTAKE_BIN};
  all.insert(all.end(), args.begin(), args.end());
  auto argv = argv_of(all);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, INTAKE_BIN, &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

Exit wait_for(int pid, std::chrono::seconds limit) {
  Exit e;
  int status = 0;
  rusage usage{};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool termed = false;
  for (;;) {
    const pid_t got = wait4(pid, &status, WNOHANG, &usage);
    if (got == pid) break;
    if (got < 0) return e;
    const auto now = std::chrono::steady_clock::now();
    if (now > deadline + std::chrono::seconds(10)) {
      ::kill(pid, SIGKILL);
    } else if (now > deadline && !termed) {
      ::kill(pid, SIGTERM);
      ::kill(pid, SIGTERM);  // the second asks it to quit now
      termed = e.timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  e.peak_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) e.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

Exit run_intake(const std::vector<std::string>& args, std::chrono::seconds limit) {
  const auto log = std::filesystem::temp_directory_path() / ("intake-run-" + std::to_string(getpid()) + ".log");
  Exit e = wait_for(start_intake(args, log), limit);
  std::ifstream in(log);
  e.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (e.timed_out)
    e.output += "\n[test support: stopped after " + std::to_string(limit.count()) + " s without ending]\n";
  return e;
}

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

nlohmann::json comparable(nlohmann::json r) {
  for (auto& p : r["pages"]) p.erase("ocr_confidence");
  if (r.contains("evidence"))
    for (auto& [key, e] : r["evidence"].items()) {
      e.erase("confidence");
      for (auto& w : e["words"]) w.erase("confidence");
    }
  return r;
}

// The kernel's own choice of a free port (bind to port 0) comes from the ephemeral range, where
// any process's next outgoing connection may take it before the test's child listens on it (CI
// at c000de6: "Address already in use"). So the port comes from below that range, where nothing
// is handed out unasked, is checked free by binding it, and is never given twice in one process.
int free_tcp_port() {
  static std::mutex mutex;
  static std::set<int> given;
  static std::mt19937 random(static_cast<unsigned>(getpid()) * 2654435761u ^ static_cast<unsigned>(time(nullptr)));
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  const int high = std::max(ephemeral_low, 2048) - 1, low = std::max(1024, high - 12000);
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = std::uniform_int_distribution<int>(low, high)(random);
    if (given.count(port)) continue;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (!free) continue;
    given.insert(port);
    return port;
  }
  return 0;
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("intake-test-" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

double cer(const std::string& truth, const std::string& got) {
  long length = 0;
  const long edits = eval::edit_distance(truth, got, &length);
  return length ? static_cast<double>(edits) / length : (got.empty() ? 0.0 : 1.0);
}

double word_recall(const std::string& truth, const std::string& got) {
  auto words = [](const std::string& s) {
    std::multiset<std::string> out;
    std::istringstream in(text::nfc(s));
    for (std::string w; in >> w;) out.insert(w);
    return out;
  };
  const auto want = words(truth);
  auto have = words(got);
  if (want.empty()) return 1.0;
  std::size_t found = 0;
  for (const auto& w : want)
    if (auto it = have.find(w); it != have.end()) ++found, have.erase(it);
  return static_cast<double>(found) / static_cast<double>(want.size());
}

}  // namespace intake::testing
