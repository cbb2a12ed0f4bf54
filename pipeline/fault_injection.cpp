#include "pipeline/fault_injection.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

namespace intake {
namespace {

struct Fault {
  std::string stage, needle, action;
};

Fault parse_fault() {
  const char* spec = std::getenv("INTAKE_FAULT");
  if (!spec) return {};
  const std::string s = spec;
  const auto a = s.find(':'), b = s.rfind(':');
  if (a == std::string::npos || b == a) return {};
  return {s.substr(0, a), s.substr(a + 1, b - a - 1), s.substr(b + 1)};
}

}  // namespace

void inject_fault(std::string_view stage, std::string_view source_file) {
  static const Fault fault = parse_fault();
  if (fault.stage.empty() || fault.stage != stage || fault.needle.empty() ||
      source_file.find(fault.needle) == std::string_view::npos)
    return;
  if (fault.action == "segv") std::raise(SIGSEGV);
  if (fault.action == "abort") std::abort();
  if (fault.action == "hang")
    while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace intake
