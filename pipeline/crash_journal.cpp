#include "pipeline/crash_journal.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace intake {
namespace {

constexpr std::string_view kTag = "intake.crash/1";
constexpr int kFatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS};

std::atomic<int> g_journal_fd{-1};
std::atomic<bool> g_tell_user{false};
thread_local char t_mark[384];
thread_local volatile int t_mark_len = 0;

// A worker thread's alternate signal stack, released (and disabled first) when the thread ends.
struct AltStack {
  std::unique_ptr<char[]> memory;
  ~AltStack() {
    if (!memory) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
};
thread_local AltStack t_altstack;

void append_number(char* buf, int& len, int cap, long long v) {
  char digits[24];
  int n = 0;
  if (v < 0) {
    if (len < cap) buf[len++] = '-';
    v = -v;
  }
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && n < 24);
  while (n && len < cap) buf[len++] = digits[--n];
}

void on_fatal(int sig) {
  // Async-signal-safe only: write, fsync, signal, raise.
  const int fd = g_journal_fd.load();
  const int mark = t_mark_len;
  if (fd >= 0 && mark > 0) {
    char line[sizeof t_mark + 32];
    int len = 0;
    std::memcpy(line, t_mark, static_cast<std::size_t>(mark));
    len = mark;
    append_number(line, len, sizeof line - 1, sig);
    line[len++] = '\n';
    [[maybe_unused]] auto w = ::write(fd, line, static_cast<std::size_t>(len));
    ::fsync(fd);
    static const char msg[] =
        "\nintake: a worker crashed on a page (recorded in the crash journal). Run the same command "
        "again: the page is retried, and quarantined once it has crashed max_attempts times.\n";
    if (g_tell_user.load()) w = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string read_from(int fd, std::uint64_t offset) {
  std::string out;
  char buf[8192];
  while (true) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset + out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

void arm_crash_handler(const std::filesystem::path& journal, bool tell_user) {
  g_tell_user.store(tell_user);
  const int fd = ::open(journal.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(journal.string() + ": cannot open crash journal: " + std::strerror(errno));
  const int old = g_journal_fd.exchange(fd);
  if (old >= 0) ::close(old);
  prepare_thread_for_crash_reports();
  struct sigaction sa{};
  sa.sa_handler = on_fatal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (int sig : kFatal) sigaction(sig, &sa, nullptr);
}

void prepare_thread_for_crash_reports() {
  // A thread that has one already (AddressSanitizer gives every thread its own) keeps it.
  stack_t current{};
  if (sigaltstack(nullptr, &current) != 0 || !(current.ss_flags & SS_DISABLE) || t_altstack.memory) return;
  constexpr std::size_t size = 64 * 1024;
  t_altstack.memory = std::make_unique<char[]>(size);
  stack_t ss{};
  ss.ss_sp = t_altstack.memory.get();
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) t_altstack.memory.reset();
}

PageMark::PageMark(const std::string& batch_id, int page, const std::string& token, const std::string& stage) {
  std::string line = std::string(kTag) + '\t' + batch_id + '\t' + std::to_string(page) + '\t' + token + '\t' + stage + '\t';
  for (char& c : line)
    if (c == '\n') c = ' ';
  if (line.size() >= sizeof t_mark) return;  // ids are short; a longer one is not journalled
  std::memcpy(t_mark, line.data(), line.size());
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_mark_len = static_cast<int>(line.size());
}

PageMark::~PageMark() {
  t_mark_len = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

std::string format_crash_entry(const CrashEntry& e) {
  return std::string(kTag) + '\t' + e.batch_id + '\t' + std::to_string(e.page) + '\t' + e.token + '\t' + e.stage +
         '\t' + std::to_string(e.signal) + '\n';
}

std::vector<CrashEntry> parse_crash_entries(std::string_view text) {
  std::vector<CrashEntry> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;  // a torn last line
    const auto fields = split_tabs(text.substr(start, nl - start));
    start = nl + 1;
    CrashEntry e;
    if (fields.size() != 6 || fields[0] != kTag || fields[1].empty() || !parse_int(fields[2], e.page) ||
        !parse_int(fields[5], e.signal))
      continue;
    e.batch_id = fields[1];
    e.token = fields[3];
    e.stage = fields[4];
    out.push_back(std::move(e));
  }
  return out;
}

CrashJournal::CrashJournal(const std::filesystem::path& dir, const std::string& run_id)
    : dir_(dir), file_(dir / (run_id + ".log")) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(dir_.string() + ": cannot create crash journal folder: " + ec.message());
  fd_ = ::open(file_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error(file_.string() + ": cannot open crash journal: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw std::runtime_error(file_.string() + ": crash journal is in use by another run");
  }
}

CrashJournal::~CrashJournal() {
  // An orderly end: nothing crashed that was not already read and stored.
  std::error_code ec;
  std::filesystem::remove(file_, ec);
  ::close(fd_);
}

std::vector<CrashEntry> CrashJournal::read_new() {
  struct stat st{};
  if (::fstat(fd_, &st) != 0 || static_cast<std::uint64_t>(st.st_size) <= offset_) return {};
  const std::string chunk = read_from(fd_, offset_);
  offset_ += chunk.size();
  partial_ += chunk;
  const auto last_nl = partial_.rfind('\n');
  if (last_nl == std::string::npos) return {};
  auto entries = parse_crash_entries(std::string_view(partial_).substr(0, last_nl + 1));
  partial_.erase(0, last_nl + 1);
  return entries;
}

std::vector<CrashEntry> CrashJournal::read_ended() {
  std::vector<CrashEntry> out;
  ended_.clear();
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    if (e.path() == file_ || e.path().extension() != ".log") continue;
    const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {  // its run is over
      auto entries = parse_crash_entries(read_from(fd, 0));
      out.insert(out.end(), entries.begin(), entries.end());
      ended_.push_back(e.path());
    }
    ::close(fd);
  }
  return out;
}

void CrashJournal::remove_ended() {
  std::error_code ec;
  for (const auto& p : ended_) std::filesystem::remove(p, ec);
  ended_.clear();
}

}  // namespace intake
