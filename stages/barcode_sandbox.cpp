#include "stages/barcode_sandbox.h"

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

extern char** environ;

namespace intake {
namespace {

bool write_all(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads exactly n bytes before the deadline; false on EOF, error or timeout.
bool read_all(int fd, void* data, std::size_t n, int timeout_ms, bool& timed_out) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    const int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      timed_out = true;
      return false;
    }
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

// A JSON number that is an int (the sandbox sends pixel coordinates), or nothing.
std::optional<int> pixel_coordinate(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int>::max())) return static_cast<int>(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<int64_t>();
    if (i >= std::numeric_limits<int>::min() && i <= std::numeric_limits<int>::max()) return static_cast<int>(i);
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::vector<Barcode>, MalformedReply> parse_reply(std::string_view body) {
  std::vector<Barcode> out;
  try {
    for (const auto& b : nlohmann::json::parse(body)) {
      Barcode barcode{b.at("format").get<std::string>(), b.at("text").get<std::string>(), {}};
      // Each coordinate checked here: json's own conversion of 1e300 to int is undefined behaviour.
      for (const auto& v : b.at("position").get_ref<const nlohmann::json::array_t&>()) {
        const auto c = pixel_coordinate(v);
        if (!c) return MalformedReply{"a position that is not integer pixel coordinates"};
        barcode.position.push_back(*c);
      }
      out.push_back(std::move(barcode));
    }
  } catch (const nlohmann::json::exception& e) {
    return MalformedReply{std::string("malformed JSON: ") + e.what()};
  }
  return out;
}

std::string locate_sandbox(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("INTAKE_ZXING_SANDBOX"); env && *env) return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "intake-zxing-sandbox").string();
}

BarcodeSandbox::BarcodeSandbox(std::string executable, int timeout_ms)
    : executable_(std::move(executable)), timeout_ms_(timeout_ms) {
  std::signal(SIGPIPE, SIG_IGN);  // a dying child must not take us down through a write
  if (::access(executable_.c_str(), X_OK) != 0)
    throw std::runtime_error("barcode sandbox '" + executable_ + "' is not an executable file");
}

BarcodeSandbox::~BarcodeSandbox() {
  if (pid_ > 0) {
    ::close(to_child_);  // EOF: the child exits
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    ::close(from_child_);
    ::close(child_err_);
  }
}

void BarcodeSandbox::start() {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::runtime_error(std::string("cannot create pipes for the barcode sandbox: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  char* argv[] = {const_cast<char*>(executable_.c_str()), nullptr};
  const int rc = posix_spawn(&pid_, executable_.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start barcode sandbox '" + executable_ + "': " + std::strerror(rc));
  }
  to_child_ = in[1];
  from_child_ = out[0];
  child_err_ = err[0];
  ::fcntl(child_err_, F_SETFL, O_NONBLOCK);
}

SandboxCrash BarcodeSandbox::reap(std::string why) {
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  std::string err;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(child_err_, buf, sizeof buf)) > 0) err.append(buf, static_cast<std::size_t>(n));
  ::close(to_child_), ::close(from_child_), ::close(child_err_);
  pid_ = -1;
  if (why.empty()) {
    if (WIFSIGNALED(status))
      why = "decoder killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    else
      why = "decoder exited with status " + std::to_string(WEXITSTATUS(status));
  }
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
  if (!err.empty()) why += ": " + err.substr(0, 300);
  return {why};
}

std::variant<std::vector<Barcode>, SandboxCrash> BarcodeSandbox::decode(const cv::Mat& grey, DecodeOptions options) {
  CV_Assert(grey.type() == CV_8UC1);
  const cv::Mat img = grey.isContinuous() ? grey : grey.clone();
  if (pid_ <= 0) start();
  const uint32_t header[4] = {kSandboxMagic, static_cast<uint32_t>(img.cols), static_cast<uint32_t>(img.rows),
                              options.bits()};
  if (!write_all(to_child_, header, sizeof header) || !write_all(to_child_, img.data, img.total())) return reap("");
  uint32_t length = 0;
  bool timed_out = false;
  if (!read_all(from_child_, &length, sizeof length, timeout_ms_, timed_out))
    return reap(timed_out ? "decoder timed out after " + std::to_string(timeout_ms_) + " ms" : "");
  if (length > kMaxResponseBytes) return reap("decoder sent an oversized response");
  std::string body(length, '\0');
  if (!read_all(from_child_, body.data(), length, timeout_ms_, timed_out))
    return reap(timed_out ? "decoder timed out after " + std::to_string(timeout_ms_) + " ms" : "");
  auto reply = parse_reply(body);
  if (auto* bad = std::get_if<MalformedReply>(&reply)) return reap("decoder sent " + bad->reason);
  return std::get<std::vector<Barcode>>(std::move(reply));
}

}  // namespace intake
