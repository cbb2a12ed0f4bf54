#include "pipeline/web/server.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <random>

#include "pipeline/dossier/lifecycle.h"
#include "pipeline/dossier/local_time.h"
#include "pipeline/text.h"
#include "pipeline/web/app.h"
#include "pipeline/web/html.h"
#include "stages/assemble.h"
#include "stages/classify.h"
#include "stages/extract.h"

namespace intake::web {
namespace {

using json = nlohmann::json;

constexpr const char* kSessionCookie = "intake_session";
constexpr const char* kPreCookie = "intake_pre";  // the sign-in form's CSRF token, before a session exists

const std::vector<Role> kAnyone{};
const std::vector<Role> kSignedIn{Role::mailroom, Role::operator_, Role::admin};
const std::vector<Role> kOperator{Role::operator_};
const std::vector<Role> kMailroom{Role::mailroom};
const std::vector<Role> kDesk{Role::operator_, Role::mailroom};
const std::vector<Role> kAdmin{Role::admin};

struct Route {
  std::string method, pattern;
  std::vector<Role> roles;
  bool api;  // answers JSON (401/403 as JSON, not a redirect to the sign-in page)
  void (*handler)(Call&);
  std::regex re{pattern};
};

std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    const auto end = std::min(header.find(';', at), header.size());
    std::string pair = header.substr(at, end - at);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

std::string home_of(Role r) { return r == Role::mailroom ? "/batches" : "/queue"; }

// A `next` given to the sign-in page: only a path of this site.
std::string safe_next(const std::string& next) {
  // Only characters a path of ours has: no control byte (a browser drops a tab, turning "/\t/x"
  // into "//x", another site), no backslash, not "//".
  static const std::regex ours("/[A-Za-z0-9/_.?=&%-]*");
  if (next.size() > 500 || !std::regex_match(next, ours) || next.rfind("//", 0) == 0) return "";
  return next;
}

// --- handlers -----------------------------------------------------------------------------

void get_login(Call& c) { page_login(c); }

void post_login(Call& c) {
  const std::string name = c.req.get_param_value("user"), password = c.req.get_param_value("password");
  auto accounts = c.app.accounts(c.store());
  const auto in = accounts.sign_in(name, password, c.address);
  if (const auto* why = error_of(in)) {
    return page_login(c, why->reason, 401);
  }
  const auto& s = std::get<Accounts::SignedIn>(in);
  c.res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + s.token + "; Path=/; HttpOnly; SameSite=Strict" +
                                     (c.secure() ? "; Secure" : ""));
  const std::string next = safe_next(c.req.get_param_value("next"));
  c.redirect(next.empty() ? home_of(s.session.role) : next);
}

void post_logout(Call& c) {
  c.app.accounts(c.store()).sign_out(cookie(c.req, kSessionCookie), c.address);
  c.res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
                                     (c.secure() ? "; Secure" : ""));
  c.redirect("/login");
}

void get_home(Call& c) { c.redirect(home_of(c.session->role)); }

void get_me(Call& c) {
  c.json(200, {{"user", c.session->user}, {"role", name_of(c.session->role)}, {"csrf", c.session->csrf}});
}

void get_asset(Call& c) {
  const auto body = embedded_asset(c.args.at(0));
  if (!body) return page_error(c, 404, "Không có tệp này.");
  const std::string& name = c.args.at(0);
  const std::string type = name.ends_with(".js")    ? "text/javascript; charset=utf-8"
                           : name.ends_with(".css") ? "text/css; charset=utf-8"
                                                    : "application/octet-stream";
  c.res.set_content(std::string(*body), type);
  c.res.set_header("Cache-Control", "no-cache");
}

void get_favicon(Call& c) { c.res.status = 204; }

void get_health(Call& c) {
  c.json(200, {{"status", "ok"}, {"pending_batches", c.app.service.pending()}, {"instance", c.app.instance}});
}

ReviewFilter filter_of(const httplib::Request& req) {
  return {req.get_param_value("reason"), req.get_param_value("batch"), req.get_param_value("procedure")};
}

void get_queue(Call& c) { page_queue(c); }

void get_api_queue(Call& c) {
  json items = json::array();
  for (const auto& q : c.app.desk(c.store()).queue(filter_of(c.req))) {
    json reasons = json::array();
    for (const auto& r : q.reasons) reasons.push_back({{"reason", r.text}, {"label", reason_label(r.text)}});
    items.push_back({{"code", q.code},
                     {"batch", q.batch_id},
                     {"received_at", q.received_at},
                     {"due_date", q.due_date ? json(*q.due_date) : json()},
                     {"procedure", q.procedure ? json(*q.procedure) : json()},
                     {"tracking_number", q.tracking_number ? json(*q.tracking_number) : json()},
                     {"applicant", q.applicant ? json(*q.applicant) : json()},
                     {"reasons", reasons},
                     {"held_by", q.lease_user ? json(*q.lease_user) : json()},
                     {"version", q.version}});
  }
  c.json(200, {{"dossiers", items}});
}

void post_queue_next(Call& c) {
  const auto code = c.app.desk(c.store()).next(c.user(), filter_of(c.req));
  if (!code) return c.redirect("/queue?empty=1");
  c.redirect("/dossiers/" + url_encode(*code));
}

void get_dossier(Call& c) { page_dossier(c); }

void get_api_dossier(Call& c) {
  const auto d = c.app.desk(c.store()).open(c.args.at(0));
  if (!d) return c.json(404, {{"error", "không có hồ sơ " + c.args.at(0)}});
  c.audit("open", "dossier:" + d->code);
  c.json(200, dossier_json(c.app, c.store(), *d));
}

// A save, confirm or reject: the review desk's refusal as 409 (someone else changed or holds
// it), a field that breaks its rule as 422.
int version_of(const json& body) {
  if (!body.contains("version") || !body["version"].is_number_integer()) throw BadRequest("version is missing");
  return body["version"].get<int>();
}

void post_save(Call& c) {
  const json body = c.body();
  const int version = version_of(body);
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  if (!d) return c.json(404, {{"error", "không có hồ sơ"}});
  std::map<std::string, std::optional<std::string>> changes;
  if (!body.contains("changes") || !body["changes"].is_object()) throw BadRequest("changes is missing");
  for (const auto& [key, v] : body["changes"].items()) {
    if (!v.is_null() && !v.is_string()) throw BadRequest("a change is a string or null");
    changes[key] = v.is_null() ? std::nullopt : std::optional(v.get<std::string>());
  }
  auto applied = apply_corrections(d->record, changes, c.app.rules());
  if (const auto* errors = std::get_if<FieldErrors>(&applied)) return c.json(422, {{"errors", *errors}});
  const auto saved = desk.save(d->code, c.user(), version, std::get<DossierRecord>(applied), c.address);
  if (const auto* why = error_of(saved)) return c.json(409, {{"error", why->reason}});
  c.json(200, dossier_json(c.app, c.store(), *desk.open(d->code)));
}

// "next": true asks for the next dossier of the queue; checked before anything is changed.
bool wants_next(const json& body) {
  const auto it = body.find("next");
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

void post_confirm(Call& c) {
  const json body = c.body();
  if (body.contains("next") && !body["next"].is_boolean()) throw BadRequest("next is true or false");
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  if (!d) return c.json(404, {{"error", "không có hồ sơ"}});
  if (const auto broken = broken_fields(d->record, c.app.rules()); !broken.empty())
    return c.json(422, {{"errors", broken}, {"error", "còn trường chưa đúng quy tắc: không thể xác nhận"}});
  const auto done = desk.confirm(d->code, c.user(), version_of(body), c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.app.events.publish("queue", {{"code", d->code}, {"review_state", "confirmed"}});
  const auto next = wants_next(body) ? desk.next(c.user()) : std::nullopt;
  c.json(200, {{"code", d->code}, {"version", std::get<int>(done)}, {"next", next ? json(*next) : json()}});
}

void post_reject(Call& c) {
  const json body = c.body();
  if (body.contains("next") && !body["next"].is_boolean()) throw BadRequest("next is true or false");
  const std::string reason = body.value("reason", json()).is_string() ? body["reason"].get<std::string>() : "";
  const auto& allowed = c.app.serve.reject_reasons;
  if (std::find(allowed.begin(), allowed.end(), reason) == allowed.end())
    return c.json(422, {{"error", "lý do từ chối phải là một trong danh sách"}, {"reasons", allowed}});
  auto desk = c.app.desk(c.store());
  const auto done = desk.reject(c.args.at(0), c.user(), version_of(body), reason, c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.app.events.publish("queue", {{"code", c.args.at(0)}, {"review_state", "rejected"}});
  const auto next = wants_next(body) ? desk.next(c.user()) : std::nullopt;
  c.json(200, {{"version", std::get<int>(done)}, {"next", next ? json(*next) : json()}});
}

// The pipeline's pages of a batch, from its ledger, by number, with the types operators gave
// pages in place of the classifier's.
std::map<int, PageItem> ledger_pages(Store& store, const std::string& batch_id) {
  std::map<int, PageItem> out;
  for (const auto& p : store.ledger(batch_id))
    if (p.result) {
      try {
        out[p.number] = page_from_json(json::parse(*p.result));
      } catch (const json::exception&) {
      }
    }
  for (const auto& [number, type] : store.page_types(batch_id))
    if (const auto it = out.find(number); it != out.end()) {
      it->second.type = type;
      it->second.type_confidence = 1.0;
    }
  return out;
}

// A record rebuilt from these pages, as the assembler would have made it.
std::optional<DossierRecord> rebuilt(App& app, const std::map<int, PageItem>& ledger, const std::vector<int>& pages,
                                     const DossierRecord& like) {
  std::vector<PageItem> items;
  for (int n : pages) {
    const auto it = ledger.find(n);
    if (it == ledger.end()) return std::nullopt;
    items.push_back(it->second);
  }
  return app.assembler.build(std::move(items), {like.batch_id, like.received_at});
}

// A rebuilt record with the corrections operators made to `from` (its fields that differ from
// the pipeline's original) made again, so that a split, merge, move or page type never loses a
// typed value. A correction that no longer keeps its rule on the new record is left out (the
// field stays as rebuilt, and flagged if it must be).
DossierRecord with_corrections(App& app, const ReviewedDossier& from, DossierRecord rebuilt_record) {
  if (!from.original) return rebuilt_record;
  std::map<std::string, std::optional<std::string>> changes;
  for (const auto& f : editable_fields()) {
    const auto now = value_of(from.record, f.key);
    if (now != value_of(*from.original, f.key)) changes[f.key] = now;
  }
  if (changes.empty()) return rebuilt_record;
  auto applied = apply_corrections(rebuilt_record, changes, app.rules());
  if (auto* r = std::get_if<DossierRecord>(&applied)) return std::move(*r);
  for (const auto& [key, why] : std::get<FieldErrors>(applied)) changes.erase(key);
  applied = apply_corrections(rebuilt_record, changes, app.rules());
  if (auto* r = std::get_if<DossierRecord>(&applied)) return std::move(*r);
  return rebuilt_record;
}

std::vector<int> numbers_of(const DossierRecord& r) {
  std::vector<int> out;
  for (const auto& p : r.pages) out.push_back(p.number);
  return out;
}

void post_reopen(Call& c) {
  const auto done = c.app.desk(c.store()).reopen(c.args.at(0), c.user(), c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.json(200, {{"version", std::get<int>(done)}});
}

// Split before a page: the pages from it on become a dossier of their own.
void post_split(Call& c) {
  const json body = c.body();
  const int version = version_of(body);
  if (!body.contains("before_page") || !body["before_page"].is_number_integer())
    throw BadRequest("before_page is missing");
  const int before = body["before_page"].get<int>();
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  if (!d) return c.json(404, {{"error", "không có hồ sơ"}});
  const auto pages = numbers_of(d->record);
  if (pages.size() < 2 || before == pages.front() || std::find(pages.begin(), pages.end(), before) == pages.end())
    return c.json(422, {{"error", "chỉ tách được trước một trang của hồ sơ, không phải trang đầu"}});
  std::vector<int> first, second;
  for (int n : pages) (n < before ? first : second).push_back(n);
  const auto ledger = ledger_pages(c.store(), d->batch_id);
  const auto a = rebuilt(c.app, ledger, first, d->record), b = rebuilt(c.app, ledger, second, d->record);
  if (!a || !b) return c.json(409, {{"error", "sổ lô không còn kết quả của một trang: không tách được"}});
  const auto done = desk.regroup(c.user(), {{d->code, version}}, {with_corrections(c.app, *d, *a), *b},
                                 c.app.config.agency.code, "split", c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.app.events.publish("queue", {{"code", d->code}, {"review_state", "pending"}});
  c.json(200, {{"codes", std::get<std::vector<std::string>>(done)}});
}

// Merge with the dossier before it in the batch: one dossier of both's pages, under the earlier code.
void post_merge(Call& c) {
  const json body = c.body();
  const int version = version_of(body);
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  if (!d || d->record.pages.empty()) return c.json(404, {{"error", "không có hồ sơ"}});
  std::optional<DossierRecord> previous;
  for (const auto& r : c.store().dossiers(d->batch_id))
    if (!r.pages.empty() && r.pages.front().number < d->record.pages.front().number && r.dossier_code) previous = r;
  if (!previous) return c.json(422, {{"error", "đây là hồ sơ đầu tiên của lô: không có hồ sơ trước để gộp"}});
  const auto prev = desk.open(*previous->dossier_code);
  auto pages = numbers_of(prev->record);
  for (int n : numbers_of(d->record)) pages.push_back(n);
  std::sort(pages.begin(), pages.end());
  const auto one = rebuilt(c.app, ledger_pages(c.store(), d->batch_id), pages, prev->record);
  if (!one) return c.json(409, {{"error", "sổ lô không còn kết quả của một trang: không gộp được"}});
  // The earlier dossier's corrections, then the later one's where the earlier has none.
  const DossierRecord merged = with_corrections(c.app, *prev, with_corrections(c.app, *d, *one));
  const auto done = desk.regroup(c.user(), {{prev->code, prev->version}, {d->code, version}}, {merged},
                                 c.app.config.agency.code, "merge", c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.app.events.publish("queue", {{"code", d->code}, {"review_state", "merged"}});
  c.json(200, {{"code", prev->code}});
}

// Moves one page (not the first: that is a split or a merge) to another dossier of the batch
// that begins before it. Both records are rebuilt from their pages, their corrections kept.
void post_move(Call& c) {
  const json body = c.body();
  const int version = version_of(body);
  if (!body.contains("page") || !body["page"].is_number_integer() || !body.contains("to") || !body["to"].is_string())
    throw BadRequest("page and to are needed");
  const int page = body["page"].get<int>();
  const std::string to = body["to"].get<std::string>();
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  const auto target = desk.open(to);
  if (!d || !target) return c.json(404, {{"error", "không có hồ sơ"}});
  if (target->batch_id != d->batch_id || target->code == d->code)
    return c.json(422, {{"error", "chỉ chuyển được trang sang một hồ sơ khác của cùng lô"}});
  auto from_pages = numbers_of(d->record), to_pages = numbers_of(target->record);
  if (std::find(from_pages.begin(), from_pages.end(), page) == from_pages.end())
    return c.json(422, {{"error", "hồ sơ không có trang này"}});
  if (page == from_pages.front())
    return c.json(422, {{"error", "trang đầu của hồ sơ không chuyển được: dùng Tách (Alt+S) hoặc Gộp (Alt+M)"}});
  if (to_pages.empty() || page < to_pages.front())
    return c.json(422, {{"error", "chỉ chuyển được trang vào hồ sơ bắt đầu trước nó trong lô"}});
  from_pages.erase(std::find(from_pages.begin(), from_pages.end(), page));
  to_pages.push_back(page);
  std::sort(to_pages.begin(), to_pages.end());
  const auto ledger = ledger_pages(c.store(), d->batch_id);
  const auto a = rebuilt(c.app, ledger, from_pages, d->record), b = rebuilt(c.app, ledger, to_pages, target->record);
  if (!a || !b) return c.json(409, {{"error", "sổ lô không còn kết quả của một trang: không chuyển được"}});
  const auto done = desk.regroup(c.user(), {{d->code, version}, {target->code, target->version}},
                                 {with_corrections(c.app, *d, *a), with_corrections(c.app, *target, *b)},
                                 c.app.config.agency.code, "move_page", c.address);
  if (const auto* why = error_of(done)) return c.json(409, {{"error", why->reason}});
  c.audit("move_page", "dossier:" + d->code, "trang " + std::to_string(page), "sang " + target->code);
  c.app.events.publish("queue", {{"code", d->code}, {"review_state", "pending"}});
  c.json(200, {{"codes", std::get<std::vector<std::string>>(done)}});
}

// The types an operator may give a page of a dossier (a separator belongs to no dossier: that
// is a split).
const std::vector<std::string> kPageTypes{"envelope", "application_form", "id_card", "supporting_document", "blank"};

// Gives a page another type; the record is rebuilt with it (documents, procedure, what is
// missing), its corrections kept, and every later rebuild uses it too.
void post_page_type(Call& c) {
  const json body = c.body();
  const int version = version_of(body);
  if (!body.contains("page") || !body["page"].is_number_integer() || !body.contains("type") ||
      !body["type"].is_string())
    throw BadRequest("page and type are needed");
  const int page = body["page"].get<int>();
  const std::string type = body["type"].get<std::string>();
  if (std::find(kPageTypes.begin(), kPageTypes.end(), type) == kPageTypes.end())
    return c.json(422, {{"error", "loại trang không hợp lệ"}, {"types", kPageTypes}});
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  if (!d) return c.json(404, {{"error", "không có hồ sơ"}});
  const auto pages = numbers_of(d->record);
  if (std::find(pages.begin(), pages.end(), page) == pages.end())
    return c.json(422, {{"error", "hồ sơ không có trang này"}});
  const auto was = c.store().page_types(d->batch_id);
  const std::optional<std::string> before = was.count(page) ? std::optional(was.at(page)) : std::nullopt;
  auto ledger = ledger_pages(c.store(), d->batch_id);
  if (!ledger.count(page)) return c.json(409, {{"error", "sổ lô không còn kết quả của trang này"}});
  const std::optional<std::string> shown = ledger.at(page).type;
  ledger.at(page).type = type;
  ledger.at(page).type_confidence = 1.0;
  const auto one = rebuilt(c.app, ledger, pages, d->record);
  if (!one) return c.json(409, {{"error", "sổ lô không còn kết quả của một trang"}});
  // The type first: should the process die before the record is written, the next rebuild has it.
  c.store().set_page_type(d->batch_id, page, type, c.user());
  const auto done = desk.regroup(c.user(), {{d->code, version}}, {with_corrections(c.app, *d, *one)},
                                 c.app.config.agency.code, "page_type", c.address);
  if (const auto* why = error_of(done)) {
    c.store().set_page_type(d->batch_id, page, before, c.user());
    return c.json(409, {{"error", why->reason}});
  }
  c.audit("page_type", "dossier:" + d->code, "trang " + std::to_string(page) + ": " + shown.value_or("—"),
          "trang " + std::to_string(page) + ": " + type);
  c.json(200, {{"code", d->code}});
}

void post_release(Call& c) {
  c.app.desk(c.store()).release(c.args.at(0), c.user());
  c.json(200, {{"released", c.args.at(0)}});
}

// A page of a dossier: only a page that belongs to it, as the pipeline turned it.
void get_page_image(Call& c) {
  auto desk = c.app.desk(c.store());
  const auto d = desk.open(c.args.at(0));
  const int number = std::atoi(c.args.at(1).c_str());
  if (!d) return page_error(c, 404, "Không có hồ sơ này.");
  const auto page = std::find_if(d->record.pages.begin(), d->record.pages.end(),
                                 [&](const PageRecord& p) { return p.number == number; });
  if (page == d->record.pages.end()) return page_error(c, 404, "Hồ sơ không có trang này.");
  const auto batch = c.store().batch(d->batch_id);
  if (!batch) return page_error(c, 404, "Không có lô quét của hồ sơ.");
  const int width = c.req.has_param("w") ? std::atoi(c.req.get_param_value("w").c_str()) : 1200;
  try {
    const auto r = c.app.renditions.render(batch->input, number, page->rotation, page->skew_deg, width);
    c.res.set_content(r.jpeg, "image/jpeg");
    c.res.set_header("X-Intake-Scale", std::to_string(r.scale));
  } catch (const std::exception& e) {
    spdlog::warn("rendition of {} page {}: {}", d->code, number, e.what());
    page_error(c, 410, "Không đọc được bản quét gốc của trang này.");
  }
}

// The OCR's words of a page, in working-image pixels, with their confidence (0..100).
void get_page_words(Call& c) {
  const auto d = c.app.desk(c.store()).open(c.args.at(0));
  const int number = std::atoi(c.args.at(1).c_str());
  if (!d) return c.json(404, {{"error", "không có hồ sơ"}});
  if (std::none_of(d->record.pages.begin(), d->record.pages.end(),
                   [&](const PageRecord& p) { return p.number == number; }))
    return c.json(404, {{"error", "hồ sơ không có trang này"}});
  json words = json::array(), barcodes = json::array();
  for (const auto& p : c.store().ledger(d->batch_id)) {
    if (p.number != number || !p.result) continue;
    PageItem item;
    try {
      item = page_from_json(json::parse(*p.result));  // the ledger's page, through its one mapping
    } catch (const json::exception&) {
      break;
    }
    for (const auto& w : item.words)
      words.push_back({{"text", w.text}, {"confidence", w.confidence}, {"x", w.x}, {"y", w.y}, {"w", w.w}, {"h", w.h}});
    for (const auto& b : item.barcodes)
      barcodes.push_back({{"format", b.format}, {"text", b.text}, {"position", b.position}});
  }
  c.json(200, {{"words", words}, {"barcodes", barcodes}});
}

void post_status(Call& c) {
  const json body = c.body();
  const std::string to = body.value("state", json()).is_string() ? body["state"].get<std::string>() : "";
  const std::string note = body.value("note", json()).is_string() ? body["note"].get<std::string>() : "";
  Store& store = c.store();
  const auto st = store.status(c.args.at(0));
  if (!st) return c.json(404, {{"error", "không có hồ sơ"}});
  std::string last_at, pause_started;
  for (const auto& e : st->history) {
    last_at = e.at;
    if (e.to == "waiting_supplement") pause_started = e.at;
  }
  const auto planned = plan_change(st->record, st->state, last_at, pause_started, to, LocalTime::now().iso(), c.user(),
                                   note, c.app.calendar);
  if (const auto* refused = std::get_if<Refusal>(&planned)) return c.json(409, {{"error", refused->reason}});
  try {
    store.apply_change(st->code, std::get<StateChange>(planned));
  } catch (const StoreError& e) {
    return c.json(409, {{"error", e.what()}});
  }
  c.audit("lifecycle", "dossier:" + st->code, st->state, to + (note.empty() ? "" : ": " + note));
  c.json(200, {{"code", st->code}, {"state", to}});
}

void get_batches(Call& c) { page_batches(c); }

void get_api_batches(Call& c) {
  json stored = json::array(), live = json::array();
  for (const auto& b : c.store().batches())
    stored.push_back({{"batch_id", b.batch_id},
                      {"input", text::printable(b.input)},
                      {"received_at", b.received_at},
                      {"state", b.state},
                      {"pages", b.pages},
                      {"processed", b.processed},
                      {"quarantined", b.quarantined},
                      {"dossiers", b.dossiers},
                      {"to_review", b.to_review}});
  for (const auto& b : c.app.live_batches())
    live.push_back({{"ticket", b.ticket},
                    {"input", text::printable(b.input)},
                    {"batch_id", b.batch_id},
                    {"state", b.state},
                    {"done", b.progress.done},
                    {"total", b.progress.total},
                    {"quarantined", b.progress.quarantined},
                    {"error", b.error}});
  c.json(200, {{"batches", stored}, {"live", live}});
}

// A batch uploaded from the browser: its files into a folder of their own under the uploads
// folder, then queued like a hot-folder entry. Names are reduced to their last part; hidden
// names and names that are not scans are refused before anything is written.
void post_upload(Call& c) {
  if (!c.req.is_multipart_form_data()) throw BadRequest("send the files as multipart/form-data");
  std::vector<const httplib::MultipartFormData*> files;
  for (const auto& [key, f] : c.req.files)
    if (key == "files") files.push_back(&f);
  if (files.empty()) return c.json(422, {{"error", "chưa chọn tệp nào"}});
  const auto& exts = c.app.config.section<IngestConfig>("ingest").extensions;
  std::set<std::string> names;
  for (const auto* f : files) {
    const std::string name = std::filesystem::path(f->filename).filename().string();
    std::string ext = std::filesystem::path(name).extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name.empty() || name[0] == '.' || name.find('\\') != std::string::npos ||
        std::find(exts.begin(), exts.end(), ext) == exts.end())
      return c.json(422, {{"error", "tệp không phải ảnh quét: " + text::printable(f->filename)}});
    if (!names.insert(name).second) return c.json(422, {{"error", "hai tệp trùng tên: " + text::printable(name)}});
  }
  const auto now = LocalTime::now();
  const auto dir = c.app.uploads / (now.iso().substr(0, 19) + "-" + c.user() + "-" + random_token().substr(0, 6));
  std::error_code ec;
  for (const auto* f : files) {
    write_export(dir / std::filesystem::path(f->filename).filename(), f->content);  // whole or not at all
  }
  BatchRequest request{{dir}, now.iso()};
  const std::string by = c.user();
  App& app = c.app;
  const auto ticket = app.service.submit(request, [&app, by](const BatchEvent& e) { app.on_batch_event(e, by); });
  c.audit("upload", "batch:" + dir.filename().string(), std::nullopt, std::to_string(files.size()) + " files");
  c.json(202, {{"ticket", ticket}, {"folder", dir.filename().string()}, {"files", files.size()}});
}

void get_batch(Call& c) { page_batch(c); }

// The batch's receipt slips, one PDF to print at once, in scan order (dossiers merged away have
// no slip). Printing personal data is audited.
void get_batch_receipts(Call& c) {
  const auto batch = c.store().batch(c.args.at(0));
  if (!batch) return page_error(c, 404, "Không có lô này.");
  if (!c.app.receipts) return page_error(c, 404, "Máy chủ này không in được giấy tiếp nhận.");
  std::vector<DossierRecord> records;
  for (auto& r : c.store().dossiers(batch->batch_id))
    if (r.dossier_code && !r.pages.empty()) records.push_back(std::move(r));
  if (records.empty()) return page_error(c, 404, "Lô chưa có hồ sơ nào để in giấy tiếp nhận.");
  std::string pdf;
  try {
    pdf = c.app.receipts(records, c.app.catalog);
  } catch (const std::exception& e) {
    spdlog::error("receipts of batch {}: {}", batch->batch_id, e.what());
    return page_error(c, 500, "Không tạo được giấy tiếp nhận: " + std::string(e.what()));
  }
  c.audit("print_receipts", "batch:" + batch->batch_id, std::nullopt, std::to_string(records.size()) + " hồ sơ");
  c.res.set_header("Content-Disposition", "inline; filename=\"giay-tiep-nhan-" + batch->batch_id + ".pdf\"");
  c.res.set_content(pdf, "application/pdf");
}

// A page of a batch as scanned (a quarantined one has no reading to turn it by).
void get_batch_page(Call& c) {
  const auto batch = c.store().batch(c.args.at(0));
  if (!batch) return page_error(c, 404, "Không có lô này.");
  const int number = std::atoi(c.args.at(1).c_str());
  const int width = c.req.has_param("w") ? std::atoi(c.req.get_param_value("w").c_str()) : 240;
  try {
    const auto r = c.app.renditions.render(batch->input, number, 0, 0, width);
    c.res.set_content(r.jpeg, "image/jpeg");
  } catch (const std::exception& e) {
    page_error(c, 410, "Không hiển thị được trang này: " + std::string(e.what()));
  }
}

// Runs a batch again from its input: an interrupted one resumes from its ledger; a committed
// one changes nothing (or takes up the pages given another chance).
void post_batch_resume(Call& c) {
  const auto batch = c.store().batch(c.args.at(0));
  if (!batch) return c.json(404, {{"error", "không có lô này"}});
  if (!std::filesystem::exists(batch->input))
    return c.json(409, {{"error", "không còn thư mục quét của lô: " + text::printable(batch->input)}});
  App& app = c.app;
  const std::string by = c.user();
  const auto ticket = app.service.submit({{batch->input}, batch->received_at},
                                         [&app, by](const BatchEvent& e) { app.on_batch_event(e, by); });
  c.audit("resume", "batch:" + batch->batch_id);
  c.json(202, {{"ticket", ticket}});
}

void post_page_retry(Call& c) {
  const auto batch = c.store().batch(c.args.at(0));
  if (!batch) return c.json(404, {{"error", "không có lô này"}});
  // Before anything is forgotten: the batch can be run again only from its input.
  if (!std::filesystem::exists(batch->input))
    return c.json(409, {{"error", "không còn thư mục quét của lô: " + text::printable(batch->input)}});
  const auto done = c.store().retry_page(batch->batch_id, std::atoi(c.args.at(1).c_str()), c.user());
  if (const auto* why = error_of(done)) return c.json(422, {{"error", why->reason}});
  post_batch_resume(c);
}

void get_search(Call& c) { page_search(c); }

void get_users(Call& c) { page_users(c); }

void post_users(Call& c) {
  auto accounts = c.app.accounts(c.store());
  const auto role = parse_role(c.req.get_param_value("role"));
  if (!role) return page_users(c, "Vai trò không hợp lệ.", true);
  const auto added =
      accounts.add_user(c.req.get_param_value("user"), *role, c.req.get_param_value("password"), c.user());
  if (const auto* why = error_of(added)) return page_users(c, why->reason, true);
  page_users(c, "Đã thêm người dùng " + c.req.get_param_value("user") + ".");
}

void post_user_change(Call& c) {
  auto accounts = c.app.accounts(c.store());
  const std::string name = c.args.at(0), action = c.req.get_param_value("action");
  Result<User> done = Error{"thao tác không hợp lệ"};
  if (action == "disable" || action == "enable") {
    if (name == c.user() && action == "disable") return page_users(c, "Không thể tự khóa tài khoản của mình.", true);
    done = accounts.set_disabled(name, action == "disable", c.user());
  } else if (action == "role") {
    if (const auto role = parse_role(c.req.get_param_value("role"))) done = accounts.set_role(name, *role, c.user());
  } else if (action == "password") {
    done = accounts.set_password(name, c.req.get_param_value("password"), c.user());
  }
  if (const auto* why = error_of(done)) return page_users(c, why->reason, true);
  page_users(c, "Đã cập nhật " + name + ".");
}

// Server-sent events: batch progress and queue changes, from the event after Last-Event-ID.
void get_events(Call& c) {
  std::uint64_t from = 0;
  const std::string last = c.req.get_header_value("Last-Event-ID");
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string::npos && last.size() < 18)
    from = std::stoull(last);
  App& app = c.app;
  // Each stream holds an HTTP thread: at most half of them, so that pages and saves never wait
  // behind open tabs. The browser tries again by itself (EventSource), after `retry`.
  if (++app.streams > app.serve.threads / 2) {
    --app.streams;
    c.res.set_header("Retry-After", "10");
    return c.json(503, {{"error", "quá nhiều trang đang theo dõi trực tiếp: thử lại sau"}});
  }
  c.res.set_header("X-Accel-Buffering", "no");
  c.res.set_chunked_content_provider(
      "text/event-stream",
      [&app, from, first = true](std::size_t, httplib::DataSink& sink) mutable {
        if (app.events.closed()) return false;
        std::string out = first ? "retry: 10000\n\n" : "";
        first = false;
        for (const auto& [id, text] : app.events.after(from, std::chrono::seconds(15))) {
          out += "id: " + std::to_string(id) + "\n" + text + "\n\n";
          from = id;
        }
        if (out.empty()) out = ": still here\n\n";
        return sink.write(out.data(), out.size());
      },
      [&app](bool) { --app.streams; });
}

const std::vector<Route>& routes() {
  static const std::vector<Route> table{
      {"GET", "/login", kAnyone, false, get_login},
      {"POST", "/login", kAnyone, false, post_login},
      {"GET", "/assets/([a-z0-9.-]+)", kAnyone, false, get_asset},
      {"GET", "/healthz", kAnyone, true, get_health},
      {"GET", "/favicon.ico", kAnyone, false, get_favicon},
      {"POST", "/logout", kSignedIn, false, post_logout},
      {"GET", "/", kSignedIn, false, get_home},
      {"GET", "/api/me", kSignedIn, true, get_me},
      {"GET", "/queue", kOperator, false, get_queue},
      {"GET", "/api/queue", kOperator, true, get_api_queue},
      {"POST", "/queue/next", kOperator, false, post_queue_next},
      {"GET", "/dossiers/([^/]+)", kDesk, false, get_dossier},
      {"GET", "/api/dossiers/([^/]+)", kDesk, true, get_api_dossier},
      {"POST", "/api/dossiers/([^/]+)/save", kOperator, true, post_save},
      {"POST", "/api/dossiers/([^/]+)/confirm", kOperator, true, post_confirm},
      {"POST", "/api/dossiers/([^/]+)/reject", kOperator, true, post_reject},
      {"POST", "/api/dossiers/([^/]+)/release", kOperator, true, post_release},
      {"POST", "/api/dossiers/([^/]+)/reopen", kOperator, true, post_reopen},
      {"POST", "/api/dossiers/([^/]+)/split", kOperator, true, post_split},
      {"POST", "/api/dossiers/([^/]+)/merge", kOperator, true, post_merge},
      {"POST", "/api/dossiers/([^/]+)/move", kOperator, true, post_move},
      {"POST", "/api/dossiers/([^/]+)/page-type", kOperator, true, post_page_type},
      {"POST", "/api/dossiers/([^/]+)/status", kMailroom, true, post_status},
      {"GET", "/pages/([^/]+)/([0-9]{1,6})", kDesk, false, get_page_image},
      {"GET", "/api/dossiers/([^/]+)/pages/([0-9]{1,6})/words", kDesk, true, get_page_words},
      {"GET", "/batches", kMailroom, false, get_batches},
      {"GET", "/api/batches", kMailroom, true, get_api_batches},
      {"POST", "/api/batches", kMailroom, true, post_upload},
      {"GET", "/batches/([a-z0-9]{1,40})", kMailroom, false, get_batch},
      {"GET", "/batches/([a-z0-9]{1,40})/pages/([0-9]{1,6})", kMailroom, false, get_batch_page},
      {"GET", "/batches/([a-z0-9]{1,40})/receipts.pdf", kMailroom, false, get_batch_receipts},
      {"POST", "/api/batches/([a-z0-9]{1,40})/resume", kMailroom, true, post_batch_resume},
      {"POST", "/api/batches/([a-z0-9]{1,40})/pages/([0-9]{1,6})/retry", kMailroom, true, post_page_retry},
      {"GET", "/api/events", kDesk, true, get_events},
      {"GET", "/search", kDesk, false, get_search},
      {"GET", "/admin/users", kAdmin, false, get_users},
      {"POST", "/admin/users", kAdmin, false, post_users},
      {"POST", "/admin/users/([a-z0-9._-]+)", kAdmin, false, post_user_change},
      {"GET", "/admin/config", kAdmin, false, get_config},
      {"POST", "/admin/config/dry-run", kAdmin, false, post_config_dry_run},
      {"GET", "/admin/config/dry-run/([a-f0-9]{12})", kAdmin, false, get_config_dry_run},
      {"POST", "/admin/config/dry-run/([a-f0-9]{12})/apply", kAdmin, false, post_config_apply},
      {"POST", "/admin/config/dry-run/([a-f0-9]{12})/discard", kAdmin, false, post_config_discard},
  };
  return table;
}

void security_headers(httplib::Response& res, bool tls) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  if (tls) res.set_header("Strict-Transport-Security", "max-age=31536000");
}

}  // namespace

// --- Call ---------------------------------------------------------------------------------

bool Call::secure() const {
  return app.tls || (app.serve.trust_forwarded_for && req.get_header_value("X-Forwarded-Proto") == "https");
}

Store& Call::store() const {
  // One store per HTTP thread (a Store is used from one thread; SQLite serialises the writers).
  thread_local std::map<std::string, std::unique_ptr<Store>> stores;
  auto& s = stores[app.store_path.string()];
  if (!s) s = std::make_unique<Store>(app.store_path);
  return *s;
}

nlohmann::json Call::body() const {
  const nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw BadRequest("the body is not a JSON object");
  return j;
}

void Call::json(int status, const nlohmann::json& body) const {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void Call::html(int status, const std::string& body) const {
  res.status = status;
  res.set_content(body, "text/html; charset=utf-8");
}

void Call::redirect(const std::string& to) const {
  res.status = 303;
  res.set_header("Location", to);
}

void Call::audit(const std::string& action, const std::string& object, std::optional<std::string> old_value,
                 std::optional<std::string> new_value) const {
  store().append_audit(
      {0, "", session ? session->user : "", action, object, std::move(old_value), std::move(new_value), address});
}

// --- EventHub, live batches -----------------------------------------------------------------

void EventHub::publish(const std::string& type, const nlohmann::json& data) {
  {
    std::lock_guard lock(mutex_);
    recent_.emplace_back(++last_,
                         "event: " + type + "\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace));
    while (recent_.size() > 500) recent_.pop_front();
  }
  wake_.notify_all();
}

std::vector<std::pair<std::uint64_t, std::string>> EventHub::after(std::uint64_t after,
                                                                   std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (after > last_) after = 0;  // an id from before a restart: everything kept is new
  wake_.wait_for(lock, wait, [&] { return closed_ || last_ > after; });
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& e : recent_)
    if (e.first > after) out.push_back(e);
  return out;
}

void EventHub::close() {
  closed_ = true;
  wake_.notify_all();
}

void App::on_batch_event(const BatchEvent& e, const std::string& by) {
  static const char* kinds[] = {"queued", "running", "running", "finished", "failed"};
  LiveBatch snapshot;
  {
    std::lock_guard lock(live_mutex);
    auto& b = live[e.ticket];
    b.ticket = e.ticket;
    if (!e.input.empty()) b.input = e.input;
    if (!e.batch_id.empty()) b.batch_id = e.batch_id;
    if (!by.empty()) b.by = by;
    b.state = kinds[static_cast<int>(e.kind)];
    if (e.kind == BatchEvent::Kind::progress || e.kind == BatchEvent::Kind::finished) b.progress = e.progress;
    if (e.kind == BatchEvent::Kind::started) b.progress.total = e.progress.total;
    if (e.kind == BatchEvent::Kind::finished && e.outcome) {
      b.progress.total = e.outcome->run.pages_total;
      b.progress.done = e.outcome->run.pages_total;
      b.progress.quarantined = static_cast<int>(e.outcome->run.quarantine.size());
    }
    if (e.kind == BatchEvent::Kind::failed) b.error = e.error;
    snapshot = b;
    while (live.size() > 200) live.erase(live.begin());
  }
  events.publish("batch", {{"ticket", snapshot.ticket},
                           {"input", text::printable(snapshot.input)},
                           {"batch_id", snapshot.batch_id},
                           {"state", snapshot.state},
                           {"done", snapshot.progress.done},
                           {"total", snapshot.progress.total},
                           {"quarantined", snapshot.progress.quarantined},
                           {"error", snapshot.error}});
}

std::string App::now_iso() { return LocalTime::now().iso(); }

std::vector<LiveBatch> App::live_batches() {
  std::lock_guard lock(live_mutex);
  std::vector<LiveBatch> out;
  for (auto it = live.rbegin(); it != live.rend(); ++it) out.push_back(it->second);
  return out;
}

// --- Server ---------------------------------------------------------------------------------

struct Server::Impl {
  App app;
  std::unique_ptr<httplib::Server> http;
  std::string host;
  int port = 0;

  Impl(BatchService& service, const Config& config, ServerOptions options)
      : Impl(service, config, std::move(options),
             Catalog::load(config.resolve(config.section<ClassifyConfig>("classify").catalog)),
             load_calendar(config.resolve(config.calendar))) {}

  // The catalog and calendar are read once; the review desk and the assembler share them.
  Impl(BatchService& service, const Config& config, ServerOptions options, const Catalog& catalog,
       const WorkingCalendar& calendar)
      : app{service,
            config,
            config.section<ServeConfig>("serve"),
            catalog,
            calendar,
            Provinces::load(config.resolve(config.section<ExtractConfig>("extract").provinces)),
            Renditions(config.section<IngestConfig>("ingest")),
            DossierAssembler(config.section<AssembleConfig>("assemble"), catalog,
                             std::make_shared<const WorkingCalendar>(calendar))} {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
    app.instance = random_hex(8);
    app.policy.idle = std::chrono::minutes(app.serve.session_idle_minutes);
    app.policy.absolute = std::chrono::hours(app.serve.session_hours);
    app.store_path = service.store_path();
    const std::filesystem::path uploads(app.serve.uploads);
    app.uploads = uploads.is_absolute() ? uploads : app.store_path.parent_path() / uploads;
    // Dry runs score on the configured labelled corpus, or on one made once beside the store.
    DryRunRequest corpus;
    corpus.generate = app.serve.labelled_corpus.empty();
    corpus.corpus =
        corpus.generate ? app.store_path.parent_path() / "dry-run-corpus" : config.resolve(app.serve.labelled_corpus);
    corpus.pages = app.serve.dry_run_pages;
    app.config_desk = std::make_unique<ConfigDesk>(config, app.store_path.parent_path() / "config-drafts", corpus,
                                                   std::move(options.dry_run), [this](const DryRun& r) {
                                                     app.events.publish("dryrun", {{"id", r.id}, {"state", r.state}});
                                                   });
    app.on_config_applied = std::move(options.on_config_applied);
    app.receipts = std::move(options.receipts);
    const std::string listen = options.listen.empty() ? app.serve.listen : options.listen;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw ConfigError("--listen: expected HOST:PORT, got '" + listen + "'");
    host = listen.substr(0, colon);
    port = std::atoi(listen.c_str() + colon + 1);
    if (!app.serve.tls_cert.empty()) {
      const auto cert = config.resolve(app.serve.tls_cert), key = config.resolve(app.serve.tls_key);
      http = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
      if (!http->is_valid())
        throw ConfigError("serve.tls_cert/tls_key: cannot load " + cert.string() + " and " + key.string());
      app.tls = true;
    } else {
      http = std::make_unique<httplib::Server>();
    }
    const int threads = app.serve.threads;
    http->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    http->set_payload_max_length(static_cast<std::size_t>(app.serve.max_upload_bytes));
    http->set_read_timeout(std::chrono::seconds(30));
    http->set_keep_alive_timeout(5);
    service.observe([this](const BatchEvent& e) { app.on_batch_event(e, ""); });
    http->set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      spdlog::error("{} {}: {}", req.method, text::printable(req.path), what);
      res.status = 500;
      res.set_content("{\"error\":\"lỗi máy chủ: xem nhật ký\"}", "application/json; charset=utf-8");
      security_headers(res, app.tls);
    });
    http->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) res.set_content("{\"error\":\"không tìm thấy\"}", "application/json; charset=utf-8");
      security_headers(res, app.tls);
    });
    // A body is read whole before any handler runs: only a signed-in mailroom upload may be large.
    http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      constexpr std::uint64_t kSmall = 1 << 20;
      const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
      const auto length = req.get_header_value<std::uint64_t>("Content-Length");
      if (!chunked && length <= kSmall) return httplib::Server::HandlerResponse::Unhandled;
      bool upload = req.method == "POST" && req.path == "/api/batches";
      if (upload) {
        Call call{app, req, res, std::nullopt, {}, req.remote_addr};
        const auto s = app.accounts(call.store()).session(cookie(req, kSessionCookie));
        upload = s && may(s->role, Role::mailroom);
      }
      if (upload) return httplib::Server::HandlerResponse::Unhandled;
      security_headers(res, app.tls);
      res.status = 413;
      res.set_content("{\"error\":\"yêu cầu quá lớn\"}", "application/json; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
    http->Get(".*", handler);
    http->Post(".*", handler);
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    const Route* route = nullptr;
    std::smatch m;
    bool path_known = false;
    for (const auto& r : routes())
      if (std::regex_match(req.path, m, r.re)) {
        path_known = true;
        if (r.method == req.method) {
          route = &r;
          break;
        }
      }
    Call call{app, req, res, std::nullopt, {}, req.remote_addr};
    if (app.serve.trust_forwarded_for && req.has_header("X-Forwarded-For")) {
      // The proxy appends the address it saw: the last entry is the one it vouches for.
      const std::string chain = req.get_header_value("X-Forwarded-For");
      const auto comma = chain.rfind(',');
      std::string last = chain.substr(comma == std::string::npos ? 0 : comma + 1);
      last.erase(0, last.find_first_not_of(' '));
      if (!last.empty() && last.size() <= 45) call.address = last;
    }
    security_headers(res, app.tls);
    if (!route) {
      res.status = path_known ? 405 : 404;
      return call.json(res.status, {{"error", path_known ? "phương thức không được phép" : "không tìm thấy"}});
    }
    for (std::size_t i = 1; i < m.size(); ++i) call.args.push_back(m[i].str());
    try {
      const std::string token = cookie(req, kSessionCookie);
      if (!token.empty()) call.session = app.accounts(call.store()).session(token);
      if (!route->roles.empty()) {
        if (!call.session) {
          if (route->api) return call.json(401, {{"error", "chưa đăng nhập"}});
          return call.redirect("/login?next=" + url_encode(req.path));
        }
        if (std::none_of(route->roles.begin(), route->roles.end(),
                         [&](Role r) { return may(call.session->role, r); })) {
          if (route->api) return call.json(403, {{"error", "vai trò của bạn không được làm việc này"}});
          return page_error(call, 403, "Vai trò của bạn không được mở trang này.");
        }
      }
      if (req.method == "POST") {
        // The token: the X-CSRF-Token header (fetch) or a csrf form field (url-encoded, or
        // multipart: the config desk's files are larger than cpp-httplib takes url-encoded). Before a session
        // exists (the sign-in form), the form's token must match its own cookie.
        const std::string sent = req.has_header("X-CSRF-Token") ? req.get_header_value("X-CSRF-Token")
                                 : req.has_file("csrf")         ? req.get_file_value("csrf").content
                                                                : req.get_param_value("csrf");
        const std::string want = route->roles.empty() ? cookie(req, kPreCookie) : call.session->csrf;
        if (!same(sent, want)) {
          if (route->api) return call.json(403, {{"error", "thiếu hoặc sai mã chống giả mạo (CSRF)"}});
          return page_error(call, 403,
                            "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ: tải lại trang và thử lại.");
        }
      }
      route->handler(call);
    } catch (const BadRequest& e) {
      call.json(400, {{"error", e.what()}});
    } catch (const RecordError& e) {
      spdlog::error("{} {}: {}", req.method, text::printable(req.path), e.what());
      call.json(500, {{"error", "bản ghi hồ sơ trong kho không đúng lược đồ: xem nhật ký"}});
    }
  }
};

Server::Server(BatchService& service, const Config& config, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, config, std::move(options))) {}

Server::~Server() { stop(); }

int Server::bind() {
  auto& i = *impl_;
  if (i.port == 0) i.port = i.http->bind_to_any_port(i.host);
  else if (!i.http->bind_to_port(i.host, i.port)) i.port = -1;
  if (i.port <= 0) throw std::runtime_error("cannot listen on " + i.host + ": the port is in use or not allowed");
  return i.port;
}

void Server::serve() { impl_->http->listen_after_bind(); }

void Server::stop() {
  impl_->app.config_desk->stop();
  impl_->app.events.close();
  impl_->http->stop();
}

std::string Server::address() const {
  return std::string(impl_->app.tls ? "https://" : "http://") + impl_->host + ":" + std::to_string(impl_->port);
}

std::vector<RouteInfo> route_table() {
  std::vector<RouteInfo> out;
  for (const auto& r : routes()) out.push_back({r.method, r.pattern, r.roles});
  return out;
}

}  // namespace intake::web
