// CrashJournal: tells a page that killed its worker from a page that was merely in flight when
// the whole run died (kill -9, a power cut, a second Ctrl-C).
//
// Only the first costs the page one of its max_attempts. Each run keeps a journal file,
// DIR/<run id>.log (DIR is beside the store: <store>.crashes/), locked with flock for as long as
// the run lives. A worker thread marks the page it is processing (PageMark); when the process
// dies of a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS), the handler appends
// the mark of the thread that faulted to the journal with write(2) and fsync(2), then lets the
// signal end the process. kill -9 and power cuts leave no entry, so they cost no attempt.
// A stage process started by the coordinator writes into the coordinator's journal (its path is
// passed with --crash-journal), so the coordinator learns at once which page killed it.
//
// One entry per line: "intake.crash/1\tBATCH\tPAGE\tTOKEN\tSTAGE\tSIGNAL\n". The store counts
// an entry once per (batch, page, token), so reading a journal twice changes nothing.
//
// arm_crash_handler() is process-wide and called once, from one thread, before workers start;
// PageMark is per thread; a CrashJournal object is used from one thread (the coordinator's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace intake {

struct CrashEntry {
  std::string batch_id;
  int page = 0;
  std::string token;  // the dispatch the page was on
  std::string stage;
  int signal = 0;
};

// Installs the fatal-signal handlers writing to `journal` (opened for append; created if absent).
// With tell_user, a crash also says on stderr that a rerun retries the page (the process is the
// whole run). Throws std::runtime_error when the file cannot be opened.
void arm_crash_handler(const std::filesystem::path& journal, bool tell_user = false);

// Gives the calling thread an alternate signal stack, so a stack overflow is reported too.
// Call once at the start of every worker thread.
void prepare_thread_for_crash_reports();

// While alive, a crash of this thread is charged to this page's dispatch.
class PageMark {
 public:
  PageMark(const std::string& batch_id, int page, const std::string& token, const std::string& stage);
  ~PageMark();
  PageMark(const PageMark&) = delete;
  PageMark& operator=(const PageMark&) = delete;
};

// The line a fatal signal appends for this entry (for tests and tools that write a journal).
std::string format_crash_entry(const CrashEntry& entry);
// Parses journal text; malformed lines (a torn last write) are skipped.
std::vector<CrashEntry> parse_crash_entries(std::string_view text);

class CrashJournal {
 public:
  // Creates dir, and dir/<run_id>.log locked for this run. Throws std::runtime_error.
  CrashJournal(const std::filesystem::path& dir, const std::string& run_id);
  ~CrashJournal();
  CrashJournal(const CrashJournal&) = delete;
  CrashJournal& operator=(const CrashJournal&) = delete;

  const std::filesystem::path& file() const { return file_; }
  // Entries appended to this run's journal since the last call.
  std::vector<CrashEntry> read_new();
  // Entries of the journals in dir whose run has ended (their lock is free). Call remove_ended()
  // once they are stored.
  std::vector<CrashEntry> read_ended();
  void remove_ended();

 private:
  std::filesystem::path dir_, file_;
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  std::string partial_;
  std::vector<std::filesystem::path> ended_;
};

}  // namespace intake
