// Inside intake serve's web server: what the request handlers share. Not a public interface.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/dossier/review.h"
#include "pipeline/dossier/store.h"
#include "pipeline/service/batch_service.h"
#include "pipeline/web/config_desk.h"
#include "pipeline/web/fields.h"
#include "pipeline/web/rendition.h"
#include "stages/assemble.h"
#include "stages/provinces.h"
#include "stages/sections.h"

namespace intake::web {

std::optional<std::string_view> embedded_asset(const std::string& name);  // assets.cpp, generated

// Server-sent events to every open page: batch progress and queue changes. Each event has a
// sequence number; a page that reconnects asks for what it missed (Last-Event-ID).
class EventHub {
 public:
  void publish(const std::string& type, const nlohmann::json& data);
  // Events after `after`, waiting up to `wait` for one; empty on time-out or close.
  std::vector<std::pair<std::uint64_t, std::string>> after(std::uint64_t after, std::chrono::milliseconds wait);
  void close();
  bool closed() const { return closed_; }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::uint64_t, std::string>> recent_;  // "event: T\ndata: {...}"
  std::uint64_t last_ = 0;
  std::atomic<bool> closed_{false};
};

// Batches the service has been given since start-up, as the mailroom follows them live.
struct LiveBatch {
  std::uint64_t ticket = 0;
  std::string input, batch_id, state;  // queued | running | finished | failed
  Progress progress;
  std::string error, by;
};

struct App;

// One request, through the gate.
struct Call {
  App& app;
  const httplib::Request& req;
  httplib::Response& res;
  std::optional<Session> session;
  std::vector<std::string> args;  // the route pattern's captures
  std::string address;
  Store& store() const;
  bool secure() const;  // HTTPS: served so, or said so by a trusted proxy
  const std::string& user() const { return session->user; }
  nlohmann::json body() const;  // the JSON body; throws BadRequest
  void json(int status, const nlohmann::json& body) const;
  void html(int status, const std::string& body) const;
  void redirect(const std::string& to) const;
  void audit(const std::string& action, const std::string& object, std::optional<std::string> old_value = {},
             std::optional<std::string> new_value = {}) const;
};

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct App {
  BatchService& service;
  const Config& config;
  ServeConfig serve;
  Catalog catalog;
  WorkingCalendar calendar;
  Provinces provinces;
  Renditions renditions;
  DossierAssembler assembler;  // rebuilds the records of a split or merge from their pages
  EventHub events;
  SessionPolicy policy;
  std::filesystem::path store_path, uploads;
  bool tls = false;

  std::atomic<int> streams{0};  // live-update streams open now (each holds an HTTP thread)

  std::mutex live_mutex;
  std::map<std::uint64_t, LiveBatch> live;

  std::unique_ptr<ConfigDesk> config_desk;  // the admins' config editor and its dry runs
  std::function<void()> on_config_applied;  // intake serve reloads (may be empty)
  std::function<std::string(const std::vector<DossierRecord>&, const Catalog&)>
      receipts;                             // one PDF of slips (may be empty)
  std::string instance;                     // random, per server: a reload makes a new one (/healthz)
  static std::string now_iso();             // local time: "2026-12-01T18:40:00+07:00"

  FieldRules rules() const { return {&catalog, &calendar, &provinces}; }
  ReviewDesk desk(Store& store) const { return ReviewDesk(store, std::chrono::minutes(serve.lease_minutes)); }
  Accounts accounts(Store& store) const { return Accounts(store, policy); }
  // Hears the service's batch events: the live list and the pages' event stream.
  void on_batch_event(const BatchEvent& e, const std::string& by);
  std::vector<LiveBatch> live_batches();
};

// The pages (views.cpp; admin.cpp for the config desk).
std::string csrf_field(const Call& c);  // the hidden form field
std::string time_vi(const std::string& iso);
void page_login(Call& c, const std::string& error = "", int status = 200);
void page_queue(Call& c);
void page_dossier(Call& c);
void page_batches(Call& c);
void page_batch(Call& c);
void page_search(Call& c);
void page_users(Call& c, const std::string& message = "", bool error = false);
void page_error(Call& c, int status, const std::string& message);

// The config desk (admin.cpp).
void get_config(Call& c);
void post_config_dry_run(Call& c);
void get_config_dry_run(Call& c);
void post_config_apply(Call& c);
void post_config_discard(Call& c);

// JSON of a dossier for the review screen.
nlohmann::json dossier_json(App& app, Store& store, const ReviewedDossier& d);

}  // namespace intake::web
