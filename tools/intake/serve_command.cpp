#include "tools/intake/serve_command.h"

#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
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
#include "tools/intake/corpus.h"
#include "tools/intake/receipt.h"

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

namespace {

// An admin's dry run: `intake eval --against` in a child process, so that a crash or the memory
// of a second set of engines never touches the server; its comparison.
nlohmann::json dry_run(const web::DryRunRequest& r, const std::atomic<bool>& cancel) {
  if (r.generate) generate_corpus(r.corpus, "standard", r.pages, 11);
  std::filesystem::create_directories(r.out_dir);
  const auto log = r.out_dir / "eval.log";
  const auto run = run_child(
      {(program_dir() / "intake").string(), "eval", r.corpus.string(), "--config", r.candidate_config.string(),
       "--against", r.current_config.string(), "--root", r.root.string(), "--inproc", "--out-dir", r.out_dir.string()},
      log, &cancel);
  if (cancel) throw std::runtime_error("dừng theo yêu cầu");
  if (run.status != 0) {
    // The child's last words say why (a config error names its key).
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    throw std::runtime_error("intake eval stopped (exit " + std::to_string(run.status) + "): " + last);
  }
  std::ifstream in(r.out_dir / "compare.json");
  const auto compared = nlohmann::json::parse(in, nullptr, false);
  if (compared.is_discarded()) throw std::runtime_error((r.out_dir / "compare.json").string() + ": not JSON");
  return compared;
}

// One life of the server on one config; true when an admin applied a new config (reload).
bool serve_once(const Config& config, const ServiceOptions& options, std::string& listen, bool first) {
  BatchService service(config, options);
  std::atomic<bool> reload{false};
  const auto receipts = [&config](const std::vector<DossierRecord>& records, const Catalog& catalog) {
    return receipts_pdf(records, {config.agency.name, &catalog});
  };
  web::Server server(service, config, {listen, dry_run, receipts, [&reload] { reload = true; }});
  const int port = server.bind();
  // A reload listens where this one did (a port chosen by the system included).
  if (!listen.empty()) listen = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  const auto& serve = config.section<ServeConfig>("serve");
  std::unique_ptr<HotFolder> hot;
  if (!serve.hot_folder.empty()) {
    const auto dir = config.resolve(serve.hot_folder);
    std::filesystem::create_directories(dir);
    hot =
        std::make_unique<HotFolder>(service, HotFolderOptions{dir, std::chrono::seconds(serve.settle_s), serve.marker});
  }
  std::thread http([&] { server.serve(); });
  if (first)
    std::cout << "intake serve: " << server.address() << "  (store " << service.store_path()
              << (hot ? ", hot folder " + hot->dir().string() : std::string()) << "; Ctrl-C to stop)" << std::endl;
  else spdlog::info("intake serve: the new configuration is in use, at {}", server.address());
  while (!stop_requested() && !reload) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (reload && !stop_requested()) {
    // The page that applied it loads its script and style from this server before it is stopped
    // (else it could not follow the reload); then batches under way finish on the config they
    // began with.
    for (int i = 0; i < 15 && !stop_requested(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (service.pending() > 0) spdlog::info("reload: waiting for {} batch(es) to finish", service.pending());
    while (!stop_requested() && service.pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!reload || stop_requested())
    spdlog::info("stopping: the batch running finishes its pages in flight, the rest resumes on the next start");
  if (hot) hot->stop();
  server.stop();
  http.join();
  // An upload that came in while stopping is run before the service goes.
  while (!stop_requested() && service.pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return reload && !stop_requested();
}

}  // namespace

int cmd_serve(const Config& config, const ServiceOptions& options, const std::string& listen) {
  std::string where = listen;
  std::unique_ptr<Config> reloaded;
  const Config* current = &config;
  for (bool first = true; serve_once(*current, options, where, first); first = false) {
    try {
      reloaded = std::make_unique<Config>(load_intake_config(current->file));
      current = reloaded.get();
      spdlog::info("reload: {} read again", current->file.string());
    } catch (const ConfigError& e) {
      spdlog::error("reload: {}; the configuration in use is kept", e.what());
    }
  }
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
