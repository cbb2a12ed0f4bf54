// intake serve's gate, over real HTTP on 127.0.0.1: every route with every role and with none,
// CSRF, security headers, escaping, stale saves and the audit trail, on a store made from the
// sample batch by the real stages.
#include "pipeline/web/server.h"

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <opencv2/core/utility.hpp>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/review.h"
#include "pipeline/tsan.h"
#include "stages/barcode.h"
#include "stages/sections.h"

namespace intake {
namespace {

const std::filesystem::path kSource = INTAKE_SOURCE_DIR;

struct Site {
  std::filesystem::path dir;
  std::unique_ptr<BatchService> service;
  std::unique_ptr<web::Server> server;
  std::thread thread;
  int port = 0;
  std::vector<std::string> codes;  // the sample batch's dossiers
  std::string to_review;           // one of them that needs review
  int page = 0;                    // a page of it
  std::string batch;               // the sample batch's id
};
Site* site = nullptr;

struct Signed {
  std::string cookie, csrf;
};

httplib::Client client() {
  httplib::Client c("127.0.0.1", site->port);
  c.set_read_timeout(30);
  return c;
}

Signed sign_in(const std::string& user, const std::string& password) {
  auto c = client();
  const auto form = c.Get("/login");
  std::smatch m;
  const std::string body = form->body;
  EXPECT_TRUE(std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string pre =
      form->get_header_value("Set-Cookie").substr(0, form->get_header_value("Set-Cookie").find(';'));
  const auto in = c.Post("/login", {{"Cookie", pre}}, "csrf=" + m[1].str() + "&user=" + user + "&password=" + password,
                         "application/x-www-form-urlencoded");
  EXPECT_EQ(in->status, 303) << user;
  Signed s;
  s.cookie = in->get_header_value("Set-Cookie").substr(0, in->get_header_value("Set-Cookie").find(';'));
  const auto me = c.Get("/api/me", {{"Cookie", s.cookie}});
  s.csrf = nlohmann::json::parse(me->body).at("csrf");
  return s;
}

class Web : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
#ifdef INTAKE_TSAN
    // OpenCV's own TBB threads (Debian's libtbb, not instrumented) hand buffers back through
    // queues ThreadSanitizer cannot see: under it, OpenCV runs on the calling thread.
    cv::setNumThreads(0);
#endif
    site = new Site;
    site->dir = std::filesystem::temp_directory_path() / ("intake-web-" + std::to_string(::getpid()));
    std::filesystem::remove_all(site->dir);
    Config config = load_intake_config(kSource / "configs/default.yaml");
    auto barcode = config.section<BarcodeConfig>("barcode");
    barcode.sandbox_path = INTAKE_SANDBOX;
    config.set_section("barcode", barcode);
    site->service = std::make_unique<BatchService>(config, ServiceOptions{site->dir / "store.db"});
    const auto outcome = site->service->run({{kSource / "samples/batch-01"}, "2026-11-27T09:30:00+07:00"});
    {
      Store store(site->dir / "store.db");
      Accounts accounts(store);
      accounts.add_user("van", Role::mailroom, "mat-khau-van-thu", "test");
      accounts.add_user("lan", Role::operator_, "mat-khau-kiem-tra", "test");
      accounts.add_user("minh", Role::operator_, "mat-khau-kiem-tra", "test");
      accounts.add_user("quantri", Role::admin, "mat-khau-quan-tri", "test");
      for (const auto& d : outcome.dossiers) site->codes.push_back(*d.dossier_code);
      site->batch = outcome.run.batch_id;
      const auto queue = ReviewDesk(store).queue();
      ASSERT_FALSE(queue.empty());
      site->to_review = queue.front().code;
      site->page = store.find_dossiers(site->to_review).at(0).pages.at(0).number;
    }
    site->server = std::make_unique<web::Server>(*site->service, config, web::ServerOptions{"127.0.0.1:0"});
    site->port = site->server->bind();
    site->thread = std::thread([] { site->server->serve(); });
  }
  static void TearDownTestSuite() {
    site->server->stop();
    site->thread.join();
    site->server.reset();
    site->service.reset();
    std::filesystem::remove_all(site->dir);
    delete site;
  }
};

// Who may call what: written out here, apart from the server's table, which must list the same.
const std::map<std::string, std::set<std::string>> kMayCall{
    {"GET /login", {"*"}},
    {"POST /login", {"*"}},
    {"GET /assets/([a-z0-9.-]+)", {"*"}},
    {"GET /healthz", {"*"}},
    {"GET /favicon.ico", {"*"}},
    {"POST /logout", {"mailroom", "operator", "admin"}},
    {"GET /", {"mailroom", "operator", "admin"}},
    {"GET /api/me", {"mailroom", "operator", "admin"}},
    {"GET /queue", {"operator", "admin"}},
    {"GET /api/queue", {"operator", "admin"}},
    {"POST /queue/next", {"operator", "admin"}},
    {"GET /dossiers/([^/]+)", {"operator", "mailroom", "admin"}},
    {"GET /api/dossiers/([^/]+)", {"operator", "mailroom", "admin"}},
    {"POST /api/dossiers/([^/]+)/save", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/confirm", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/reject", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/release", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/reopen", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/split", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/merge", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/move", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/page-type", {"operator", "admin"}},
    {"POST /api/dossiers/([^/]+)/status", {"mailroom", "admin"}},
    {"GET /pages/([^/]+)/([0-9]{1,6})", {"operator", "mailroom", "admin"}},
    {"GET /api/dossiers/([^/]+)/pages/([0-9]{1,6})/words", {"operator", "mailroom", "admin"}},
    {"GET /batches", {"mailroom", "admin"}},
    {"GET /api/batches", {"mailroom", "admin"}},
    {"POST /api/batches", {"mailroom", "admin"}},
    {"GET /batches/([a-z0-9]{1,40})", {"mailroom", "admin"}},
    {"GET /batches/([a-z0-9]{1,40})/pages/([0-9]{1,6})", {"mailroom", "admin"}},
    {"GET /batches/([a-z0-9]{1,40})/receipts.pdf", {"mailroom", "admin"}},
    {"POST /api/batches/([a-z0-9]{1,40})/resume", {"mailroom", "admin"}},
    {"POST /api/batches/([a-z0-9]{1,40})/pages/([0-9]{1,6})/retry", {"mailroom", "admin"}},
    {"GET /api/events", {"operator", "mailroom", "admin"}},
    {"GET /search", {"operator", "mailroom", "admin"}},
    {"GET /admin/users", {"admin"}},
    {"POST /admin/users", {"admin"}},
    {"POST /admin/users/([a-z0-9._-]+)", {"admin"}},
    {"GET /admin/config", {"admin"}},
    {"POST /admin/config/dry-run", {"admin"}},
    {"GET /admin/config/dry-run/([a-f0-9]{12})", {"admin"}},
    {"POST /admin/config/dry-run/([a-f0-9]{12})/apply", {"admin"}},
    {"POST /admin/config/dry-run/([a-f0-9]{12})/discard", {"admin"}},
};

// A concrete path for a pattern (a dossier of the sample batch; a user that exists).
std::string path_of(const std::string& pattern) {
  std::string p = pattern;
  auto put = [&](const std::string& what, const std::string& with) {
    if (const auto at = p.find(what); at != std::string::npos) p.replace(at, what.size(), with);
  };
  put("([a-z0-9.-]+)", "app.js");
  put("([a-z0-9]{1,40})", site->batch);
  put("([a-z0-9._-]+)", "nobody-here");
  // Not the dossier the correction test works on: a call here may hold or reopen it.
  put("([^/]+)", site->codes.front() != site->to_review ? site->codes.front() : site->codes.back());
  put("([0-9]{1,6})", "1");
  put("([a-f0-9]{12})", "0123456789ab");  // a dry run that does not exist: 404 to whoever may ask
  return p;
}

struct Answer {
  int status = 0;
  std::string location, body;
};

Answer request(const std::string& method, const std::string& path, const httplib::Headers& headers) {
  auto c = client();
  Answer a;
  if (method == "GET" && path == "/api/events") {
    // The event stream stays open: read its head only.
    c.Get(
        path, headers,
        [&](const httplib::Response& res) {
          a.status = res.status;
          return false;
        },
        [](const char*, std::size_t) { return false; });
    return a;
  }
  const auto res = method == "GET" ? c.Get(path, headers) : c.Post(path, headers, "{}", "application/json");
  if (!res) return a;
  a.status = res->status;
  a.location = res->get_header_value("Location");
  a.body = res->body;
  return a;
}

}  // namespace

TEST_F(Web, EveryRouteIsInTheTestsOwnMatrixAndNoOther) {
  std::set<std::string> served, expected;
  for (const auto& r : web::route_table()) served.insert(r.method + " " + r.pattern);
  for (const auto& [route, roles] : kMayCall) expected.insert(route);
  EXPECT_EQ(served, expected) << "a route was added or removed: put it in kMayCall with who may call it";
}

TEST_F(Web, EveryRouteRefusesWhoMayNotCallItAndLetsThroughWhoMay) {
  const std::map<std::string, std::pair<std::string, std::string>> passwords{
      {"mailroom", {"van", "mat-khau-van-thu"}},
      {"operator", {"minh", "mat-khau-kiem-tra"}},
      {"admin", {"quantri", "mat-khau-quan-tri"}}};
  int checked = 0;
  for (const auto& r : web::route_table()) {
    const auto& allowed = kMayCall.at(r.method + " " + r.pattern);
    const bool anyone = allowed.count("*") > 0;
    const bool api = r.pattern.rfind("/api/", 0) == 0 || r.pattern == "/healthz";
    const std::string path = path_of(r.pattern);
    for (const std::string role : {"", "mailroom", "operator", "admin"}) {
      httplib::Headers headers;
      if (!role.empty()) {
        const auto s = sign_in(passwords.at(role).first, passwords.at(role).second);
        headers = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
      }
      const Answer res = request(r.method, path, headers);
      ASSERT_NE(res.status, 0) << r.method << " " << path << " as " << role;
      const std::string who = r.method + " " + path + " as " + (role.empty() ? "nobody" : role);
      if (anyone || allowed.count(role)) {
        if (anyone && r.method == "POST") continue;  // the sign-in form: its own CSRF rule, tested below
        EXPECT_NE(res.status, 401) << who;
        EXPECT_NE(res.status, 403) << who << ": " << res.body;
        if (r.pattern != "/logout") EXPECT_EQ(res.location.rfind("/login", 0), std::string::npos) << who;
        else EXPECT_EQ(res.location, "/login") << who;  // signed out
      } else if (role.empty()) {
        if (api) EXPECT_EQ(res.status, 401) << who;
        else EXPECT_TRUE(res.status == 303 && res.location.rfind("/login?next=", 0) == 0) << who;
      } else {
        EXPECT_EQ(res.status, 403) << who;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST_F(Web, AStateChangingRequestWithoutItsCsrfTokenIsRefused) {
  const auto s = sign_in("quantri", "mat-khau-quan-tri");
  for (const auto& r : web::route_table()) {
    if (r.method != "POST") continue;
    const std::string path = path_of(r.pattern);
    for (const std::string& token : {std::string(), std::string(32, '0'), s.csrf + "0"}) {
      httplib::Headers headers{{"Cookie", s.cookie}};
      if (!token.empty()) headers.emplace("X-CSRF-Token", token);
      const auto res = client().Post(path, headers, "{}", "application/json");
      EXPECT_EQ(res->status, 403) << r.method << " " << path << " with token '" << token << "'";
    }
  }
  // The sign-in form: a token that is not its own cookie's.
  const auto res = client().Post("/login", {{"Cookie", "intake_pre=aaaa"}},
                                 "csrf=bbbb&user=lan&password=mat-khau-kiem-tra", "application/x-www-form-urlencoded");
  EXPECT_EQ(res->status, 403);
}

TEST_F(Web, EveryResponseCarriesTheSecurityHeadersAndThePagesNoInlineScript) {
  const auto s = sign_in("lan", "mat-khau-kiem-tra");
  for (const std::string& path :
       std::vector<std::string>{"/login", "/queue", "/dossiers/" + site->codes.front(), "/api/queue", "/nowhere"}) {
    const auto res = client().Get(path, {{"Cookie", s.cookie}});
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store") << path;
    EXPECT_FALSE(std::regex_search(res->body, std::regex("<script(?![^>]*\\ssrc=)"))) << path;
    EXPECT_EQ(res->body.find(" style=\""), std::string::npos) << path;
    EXPECT_EQ(res->body.find(" onclick="), std::string::npos) << path;
  }
}

TEST_F(Web, ACorrectionIsCheckedSavedOnceAuditedAndAStaleOneRefused) {
  const auto lan = sign_in("lan", "mat-khau-kiem-tra");
  const auto minh = sign_in("minh", "mat-khau-kiem-tra");
  const std::string code = site->to_review;
  {  // The route matrix may have taken it with "get next": let it go.
    Store store(site->dir / "store.db");
    for (const char* who : {"minh", "quantri"}) ReviewDesk(store).release(code, who);
  }
  const auto opened = client().Get("/dossiers/" + code, {{"Cookie", lan.cookie}});  // lan takes it
  ASSERT_EQ(opened->status, 200);
  auto api = [&](const Signed& who, const std::string& what, const nlohmann::json& body) {
    return client().Post("/api/dossiers/" + code + "/" + what, {{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf}},
                         body.dump(), "application/json");
  };
  const int version =
      nlohmann::json::parse(client().Get("/api/dossiers/" + code, {{"Cookie", lan.cookie}})->body)["version"];
  // A wrong check digit, a 10-digit ID: refused, nothing stored.
  auto bad = api(lan, "save", {{"version", version}, {"changes", {{"tracking_number", "EE123456789VN"}}}});
  EXPECT_EQ(bad->status, 422);
  EXPECT_NE(bad->body.find("tracking_number"), std::string::npos);
  bad = api(lan, "save", {{"version", version}, {"changes", {{"applicant.id_number", "0790900012"}}}});
  EXPECT_EQ(bad->status, 422);
  // Someone who does not hold it: refused.
  EXPECT_EQ(api(minh, "save", {{"version", version}, {"changes", {{"tracking_number", "EE123456785VN"}}}})->status,
            409);
  // A hostile name is stored as text and shown as text.
  const auto good = api(
      lan, "save",
      {{"version", version},
       {"changes", {{"tracking_number", "ee 123 456 785 vn"}, {"applicant.full_name", "<script>alert(1)</script>"}}}});
  ASSERT_EQ(good->status, 200) << good->body;
  EXPECT_EQ(nlohmann::json::parse(good->body)["record"]["tracking_number"], "EE123456785VN");
  // What the operator typed is its own evidence: not the words the OCR read.
  const auto saved = nlohmann::json::parse(good->body)["record"]["evidence"];
  for (const char* key : {"tracking_number", "applicant.full_name"}) {
    EXPECT_EQ(saved[key]["source"], "operator") << key << ": " << saved.dump();
    EXPECT_TRUE(saved[key]["words"].empty()) << key;
  }
  const auto stale = api(lan, "save", {{"version", version}, {"changes", {{"sender.phone", "0912345678"}}}});
  EXPECT_EQ(stale->status, 409);
  EXPECT_NE(stale->body.find("đã được người khác sửa"), std::string::npos) << stale->body;
  const auto page = client().Get("/dossiers/" + code, {{"Cookie", lan.cookie}});
  EXPECT_NE(page->body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page->body.find("<script>alert(1)"), std::string::npos);

  Store store(site->dir / "store.db");
  std::vector<std::string> audit;
  for (const auto& e : store.audit_of("dossier:" + code)) audit.push_back(e.actor + " " + e.action);
  EXPECT_GE(std::count(audit.begin(), audit.end(), "lan open"), 3);
  EXPECT_GE(std::count(audit.begin(), audit.end(), "lan set_field"), 2);
  EXPECT_EQ(store.find_dossiers(code).at(0).tracking_number, "EE123456785VN");
}

TEST_F(Web, TheSignInPageSendsOnlyToPathsOfThisSiteAndLargeBodiesAreRefusedUnread) {
  auto c = client();
  const auto form = c.Get("/login");
  std::smatch m;
  const std::string body = form->body;
  ASSERT_TRUE(std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string pre =
      form->get_header_value("Set-Cookie").substr(0, form->get_header_value("Set-Cookie").find(';'));
  // A browser drops the tab: "/\t/evil.example" would be "//evil.example", another site.
  for (const std::string next :
       {"%2F%09%2Fevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"}) {
    const auto in =
        c.Post("/login", {{"Cookie", pre}}, "csrf=" + m[1].str() + "&user=lan&password=mat-khau-kiem-tra&next=" + next,
               "application/x-www-form-urlencoded");
    EXPECT_EQ(in->status, 303);
    EXPECT_EQ(in->get_header_value("Location"), "/queue") << next;
  }
  // 2 MiB announced to the sign-in page, from no one: answered at once, before a byte of it is
  // read (were it read, the answer would wait for a body that never comes).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(site->port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  const std::string head =
      "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2097152\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  timeval wait{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char answer[64] = {};
  const auto got = ::recv(fd, answer, sizeof answer - 1, 0);
  ::close(fd);
  ASSERT_GT(got, 0) << "no answer within 5 s: the server waited for the body";
  EXPECT_EQ(std::string(answer).substr(0, 12), "HTTP/1.1 413");
}

TEST_F(Web, AConfirmationAskedWithABadNextChangesNothing) {
  const auto lan = sign_in("lan", "mat-khau-kiem-tra");
  const auto d =
      nlohmann::json::parse(client().Get("/api/dossiers/" + site->codes.front(), {{"Cookie", lan.cookie}})->body);
  const auto res = client().Post("/api/dossiers/" + site->codes.front() + "/confirm",
                                 {{"Cookie", lan.cookie}, {"X-CSRF-Token", lan.csrf}},
                                 nlohmann::json{{"version", d["version"]}, {"next", "1"}}.dump(), "application/json");
  EXPECT_EQ(res->status, 400);
  const auto after =
      nlohmann::json::parse(client().Get("/api/dossiers/" + site->codes.front(), {{"Cookie", lan.cookie}})->body);
  EXPECT_EQ(after["version"], d["version"]);
}

TEST_F(Web, NoOneSignedInSeesPersonalData) {
  for (const std::string& path : std::vector<std::string>{"/api/dossiers/" + site->codes.front(), "/api/queue",
                                                          "/pages/" + site->codes.front() + "/1", "/search?q=nguyen"}) {
    const auto res = client().Get(path);
    EXPECT_TRUE(res->status == 401 || res->status == 303) << path;
    EXPECT_EQ(res->body.find("Nguyễn"), std::string::npos) << path;
  }
}

}  // namespace intake

namespace intake {

TEST_F(Web, TheMailroomGivesAQuarantinedPageAnotherChanceAndOnlyAQuarantinedOne) {
  const auto dir = site->dir / "with-a-bad-page";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kSource / "samples/batch-01/scan_1.png", dir / "scan_1.png");
  std::ofstream(dir / "scan_2.png") << "\x89PNG\r\n\x1a\nthis is not a scan";
  const auto outcome = site->service->run({{dir}, "2026-11-27T10:00:00+07:00"});
  ASSERT_EQ(outcome.run.quarantine.size(), 1u);
  const int bad = outcome.run.quarantine.front().page_number;
  const std::string batch = outcome.run.batch_id;
  const auto van = sign_in("van", "mat-khau-van-thu");
  const httplib::Headers headers{{"Cookie", van.cookie}, {"X-CSRF-Token", van.csrf}};
  const auto page = client().Get("/batches/" + batch, {{"Cookie", van.cookie}});
  EXPECT_NE(page->body.find("data-page=\"" + std::to_string(bad) + "\""), std::string::npos);
  EXPECT_EQ(client().Post("/api/batches/" + batch + "/pages/1/retry", headers, "{}", "application/json")->status, 422);
  EXPECT_EQ(
      client()
          .Post("/api/batches/" + batch + "/pages/" + std::to_string(bad) + "/retry", headers, "{}", "application/json")
          ->status,
      202);
  for (int i = 0; i < 600 && site->service->pending() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Store store(site->dir / "store.db");
  // Still not a scan: quarantined again, with its reason, and the batch committed once more.
  ASSERT_EQ(store.quarantined(batch).size(), 1u);
  EXPECT_EQ(store.batch(batch)->state, "committed");
  bool audited = false;
  for (const auto& e : store.audit_of("batch:" + batch)) audited |= e.action == "retry_page" && e.actor == "van";
  EXPECT_TRUE(audited);
  // Its scans gone: refused before anything is forgotten.
  std::filesystem::rename(dir, site->dir / "moved-away");
  EXPECT_EQ(
      client()
          .Post("/api/batches/" + batch + "/pages/" + std::to_string(bad) + "/retry", headers, "{}", "application/json")
          ->status,
      409);
  EXPECT_EQ(store.quarantined(batch).size(), 1u);
  EXPECT_EQ(store.batch(batch)->state, "committed");
}

// Separation review beyond split and merge: a page given another type, then moved to the dossier
// before; every page of the batch stays in exactly one dossier, the operator's type survives the
// rebuild, and so does a correction typed before it.
TEST_F(Web, APageRetypedAndMovedKeepsEveryPageOnceTheTypeAndTheCorrections) {
  const auto lan = sign_in("lan", "mat-khau-kiem-tra");
  Store store(site->dir / "store.db");
  // Two neighbours of the sample batch, the later of two pages or more.
  const auto records = store.dossiers(site->batch);
  std::string before_code, after_code;
  for (std::size_t i = 0; i + 1 < records.size(); ++i)
    if (records[i].dossier_code && records[i + 1].dossier_code && !records[i].pages.empty() &&
        records[i + 1].pages.size() >= 2) {
      before_code = *records[i].dossier_code, after_code = *records[i + 1].dossier_code;
      break;
    }
  ASSERT_FALSE(after_code.empty()) << "the sample batch has a dossier of two pages after another";
  auto api = [&](const std::string& code, const std::string& what, const nlohmann::json& body) {
    return client().Post("/api/dossiers/" + code + "/" + what, {{"Cookie", lan.cookie}, {"X-CSRF-Token", lan.csrf}},
                         body.dump(), "application/json");
  };
  auto version_of = [&](const std::string& code) {
    return nlohmann::json::parse(client().Get("/api/dossiers/" + code, {{"Cookie", lan.cookie}})->body)["version"]
        .get<int>();
  };
  ReviewDesk desk(store);
  for (const auto& code : {before_code, after_code}) {
    for (const char* who : {"minh", "quantri"}) desk.release(code, who);
    if (desk.open(code)->review_state != "pending") {
      ASSERT_EQ(api(code, "reopen", nlohmann::json::object())->status, 200);
    }
    ASSERT_EQ(client().Get("/dossiers/" + code, {{"Cookie", lan.cookie}})->status, 200);  // lan holds it
  }
  auto pages_in_dossiers = [&] {
    std::multiset<int> pages;
    for (const auto& r : store.dossiers(site->batch))
      for (const auto& p : r.pages) pages.insert(p.number);
    return pages;
  };
  const auto all_pages = pages_in_dossiers();

  // A correction on the dossier that will take the page.
  ASSERT_EQ(
      api(before_code, "save", {{"version", version_of(before_code)}, {"changes", {{"sender.phone", "0912345678"}}}})
          ->status,
      200);
  const auto moving = desk.open(after_code)->record.pages.at(1);
  const std::string type = moving.type == PageType::supporting_document ? "application_form" : "supporting_document";
  const auto retyped =
      api(after_code, "page-type", {{"version", version_of(after_code)}, {"page", moving.number}, {"type", type}});
  ASSERT_EQ(retyped->status, 200) << retyped->body;
  EXPECT_EQ(store.page_types(site->batch).at(moving.number), type);
  EXPECT_EQ(api(after_code, "page-type",
                {{"version", version_of(after_code)}, {"page", moving.number}, {"type", "separator"}})
                ->status,
            422);

  // The first page cannot be moved (that is a split); a page into a later dossier neither.
  const int first = desk.open(after_code)->record.pages.front().number;
  EXPECT_EQ(
      api(after_code, "move", {{"version", version_of(after_code)}, {"page", first}, {"to", before_code}})->status,
      422);
  const auto moved =
      api(after_code, "move", {{"version", version_of(after_code)}, {"page", moving.number}, {"to", before_code}});
  ASSERT_EQ(moved->status, 200) << moved->body;

  EXPECT_EQ(pages_in_dossiers(), all_pages) << "no page lost or doubled";
  const auto taker = desk.open(before_code)->record;
  const auto it = std::find_if(taker.pages.begin(), taker.pages.end(),
                               [&](const PageRecord& p) { return p.number == moving.number; });
  ASSERT_NE(it, taker.pages.end());
  EXPECT_EQ(it->type, parse_page_type(type)) << "the operator's type survives the rebuild";
  EXPECT_EQ(taker.sender.phone, "0912345678") << "the correction survives the rebuild";
  const auto giver = desk.open(after_code)->record;
  for (const auto& p : giver.pages) EXPECT_NE(p.number, moving.number);
  std::set<std::string> actions;
  for (const auto& e : store.audit_of("dossier:" + after_code)) actions.insert(e.action);
  EXPECT_TRUE(actions.count("move_page") && actions.count("page_type"));
}

}  // namespace intake
