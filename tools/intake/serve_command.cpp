#include "tools/intake/serve_command.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/local_time.h"
#include "pipeline/service/hot_folder.h"
#include "pipeline/signals.h"
#include "pipeline/web/server.h"
#include "stages/sections.h"

namespace intake {
namespace {

std::string read_password() {
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  auto ask = [](const char* prompt) {
    std::cerr << prompt << std::flush;
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string line;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << '\n';
    return line;
  };
  const std::string first = ask("Mật khẩu (ít nhất 10 ký tự): ");
  if (ask("Nhập lại mật khẩu: ") != first) throw std::runtime_error("the two passwords differ");
  return first;
}

}  // namespace

int cmd_serve(const Config& config, const ServiceOptions& options, const std::string& listen) {
  BatchService service(config, options);
  web::Server server(service, config, {listen});
  const int port = server.bind();
  (void)port;
  const auto& serve = config.section<ServeConfig>("serve");
  std::unique_ptr<HotFolder> hot;
  if (!serve.hot_folder.empty()) {
    const auto dir = config.resolve(serve.hot_folder);
    std::filesystem::create_directories(dir);
    hot =
        std::make_unique<HotFolder>(service, HotFolderOptions{dir, std::chrono::seconds(serve.settle_s), serve.marker});
  }
  std::thread http([&] { server.serve(); });
  std::cout << "intake serve: " << server.address() << "  (store " << service.store_path()
            << (hot ? ", hot folder " + hot->dir().string() : std::string()) << "; Ctrl-C to stop)" << std::endl;
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  spdlog::info("stopping: the batch running finishes its pages in flight, the rest resumes on the next start");
  if (hot) hot->stop();
  server.stop();
  http.join();
  return 0;
}

int cmd_user(const std::string& store_path, const std::string& action, const std::string& name,
             const std::string& role) {
  Store store(store_path);
  Accounts accounts(store);
  if (action == "list") {
    for (const auto& u : accounts.users())
      fmt::print("{:<24} {:<9} {}\n", u.name, name_of(u.role), u.disabled ? "disabled" : "active");
    return 0;
  }
  if (name.empty()) {
    std::cerr << "intake: user " << action << ": give the user's name\n";
    return 1;
  }
  Result<User> done = Error{"unknown action"};
  if (action == "add") {
    const auto r = parse_role(role);
    if (!r) {
      std::cerr << "intake: --role is mailroom, operator or admin\n";
      return 1;
    }
    done = accounts.add_user(name, *r, read_password(), "cli");
  } else if (action == "passwd") {
    done = accounts.set_password(name, read_password(), "cli");
  } else if (action == "disable" || action == "enable") {
    done = accounts.set_disabled(name, action == "disable", "cli");
  }
  if (const auto* why = error_of(done)) {
    std::cerr << "intake: user " << action << " " << name << ": " << why->reason << '\n';
    return 1;
  }
  const auto& u = std::get<User>(done);
  fmt::print("{} {}: {} ({})\n", action, u.name, name_of(u.role), u.disabled ? "disabled" : "active");
  return 0;
}

}  // namespace intake
