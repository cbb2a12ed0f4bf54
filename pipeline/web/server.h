// intake serve's web server: the operators' review desk, the mailroom's batches and the admins'
// users, as server-rendered pages with a little JavaScript, and their JSON API, over one batch
// service and one store. cpp-httplib (Debian 12) serves HTTP on 127.0.0.1 by default, or HTTPS
// itself from configured PEM files; live updates are server-sent events.
//
// Every request goes through one gate: security headers (a Content-Security-Policy without
// inline script, frame-ancestors 'none', nosniff) and Cache-Control: no-store on every response;
// the session from its HttpOnly SameSite=Strict cookie; the route's roles checked server-side;
// a CSRF token on every state-changing request. Pages and calls that show a dossier are audited.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/service/batch_service.h"
#include "pipeline/web/config_desk.h"

namespace intake::web {

struct ServerOptions {
  std::string listen;  // HOST:PORT (port 0: any free one); empty: the config's serve.listen
  // The admins' dry runs of a candidate config (`intake eval --against` in a child process, from
  // tools/intake); empty: the config desk checks a candidate but cannot try it.
  DryRunner dry_run;
  // The receipt slips of dossiers as one PDF (tools/intake/receipt.h), with the server's catalog
  // (procedure working days, department names); empty: not offered.
  std::function<std::string(const std::vector<DossierRecord>&, const Catalog&)> receipts;
  // Called after an admin applied a config (the files are written): intake serve reloads.
  std::function<void()> on_config_applied;
};

class Server {
 public:
  // Loads the catalog, calendar and provinces; throws ConfigError.
  Server(BatchService& service, const Config& config, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and returns the port; throws std::runtime_error when it cannot (a port in use).
  int bind();
  // Serves until stop() (from any thread). bind() first.
  void serve();
  void stop();
  std::string address() const;  // "http://127.0.0.1:8080" once bound

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The routes: method, path pattern, and the roles that may call it (none: anyone). The pages
// and the API; the role test walks every one.
struct RouteInfo {
  std::string method, pattern;
  std::vector<Role> roles;
};
std::vector<RouteInfo> route_table();

}  // namespace intake::web
