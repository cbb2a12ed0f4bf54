#include "pipeline/signals.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace intake {
namespace {

std::atomic<int> g_signals{0};

void on_signal(int) {
  if (g_signals.fetch_add(1) >= 1) _exit(130);
  static const char msg[] = "\nintake: stopping after the pages in flight (signal again to quit now)\n";
  [[maybe_unused]] auto n = write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_signals.load() > 0; }
void request_stop() { g_signals.fetch_add(1); }
void clear_stop_request() { g_signals.store(0); }

}  // namespace intake
