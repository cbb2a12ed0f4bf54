#include "tests/support/run_intake.h"

#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <spawn.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

Exit wait_for(int pid) {
  Exit e;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return e;
  e.peak_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) e.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

Exit run_intake(const std::vector<std::string>& args) {
  const auto log = std::filesystem::temp_directory_path() / ("intake-run-" + std::to_string(getpid()) + ".log");
  Exit e = wait_for(start_intake(args, log));
  std::ifstream in(log);
  e.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
  return r;
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
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
