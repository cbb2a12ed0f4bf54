// The pages of intake serve, server-rendered. Every value from a scan or a payload goes through
// escape(); scripts come only from /assets (the Content-Security-Policy allows nothing inline).
#include <sodium.h>

#include <fmt/core.h>

#include "pipeline/dossier/lifecycle.h"
#include "pipeline/text.h"
#include "pipeline/web/app.h"
#include "pipeline/web/html.h"

namespace intake::web {

std::string csrf_field(const Call& c) {
  return c.session ? "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(c.session->csrf) + "\">" : "";
}

namespace {

using json = nlohmann::json;

// Dates and times as people write them here; what the store holds may have come from an import,
// so it is escaped like any other value.
std::string date_vi(const std::optional<std::string>& iso) {
  if (!iso || iso->size() < 10) return "—";
  return escape(iso->substr(8, 2) + "/" + iso->substr(5, 2) + "/" + iso->substr(0, 4));
}

}  // namespace

std::string time_vi(const std::string& iso) {
  if (iso.size() < 16) return escape(iso);
  return escape(iso.substr(11, 5)) + " " + date_vi(iso);
}

namespace {

std::string reasons_html(const std::vector<ReviewReason>& reasons) {
  std::string out;
  for (const auto& r : reasons)
    out += "<span class=\"reason\" title=\"" + escape(r.text) + "\">" + escape(reason_label(r.text)) + "</span>";
  return out;
}

std::string audit_value(const std::optional<std::string>& v) { return v ? escape(*v) : "—"; }

}  // namespace

void page_error(Call& c, int status, const std::string& message) {
  c.html(status,
         page({"Không thực hiện được", c.session, "",
               "<p class=\"error\">" + escape(message) + "</p><p><a href=\"/\">Về trang đầu</a></p>", "error-page"}));
}

void page_login(Call& c, const std::string& error, int status) {
  std::string pre;
  {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    pre = hex;
  }
  c.res.set_header("Set-Cookie", "intake_pre=" + pre + "; Path=/login; HttpOnly; SameSite=Strict" +
                                     std::string(c.secure() ? "; Secure" : ""));
  const std::string next = c.req.get_param_value("next");
  std::string body = error.empty() ? "" : "<p class=\"error\" role=\"alert\">" + escape(error) + "</p>";
  body += fmt::format(
      "<form method=\"post\" action=\"/login\" class=\"login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">"
      "<label for=\"user\">Tên đăng nhập</label><input id=\"user\" name=\"user\" autocomplete=\"username\" "
      "autofocus required value=\"{}\">"
      "<label for=\"password\">Mật khẩu</label><input id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required>"
      "<button type=\"submit\">Đăng nhập</button></form>",
      pre, escape(next), escape(c.req.get_param_value("user")));
  c.html(status, page({"Đăng nhập", std::nullopt, "", body, "login-page"}));
}

void page_queue(Call& c) {
  const ReviewFilter f{c.req.get_param_value("reason"), c.req.get_param_value("batch"),
                       c.req.get_param_value("procedure")};
  const auto items = c.app.desk(c.store()).queue(f);
  std::string body;
  if (c.req.has_param("empty")) body += "<p class=\"notice\" role=\"status\">Hàng chờ đã hết hồ sơ cần kiểm tra.</p>";
  std::string options = "<option value=\"\">Mọi thủ tục</option>";
  for (const auto& p : c.app.catalog.procedures())
    options += fmt::format("<option value=\"{}\"{}>{}</option>", escape(p.id), p.id == f.procedure ? " selected" : "",
                           escape(p.name));
  body += fmt::format(
      "<form method=\"get\" action=\"/queue\" class=\"filters\">"
      "<label>Lý do <input name=\"reason\" value=\"{}\" placeholder=\"vd. applicant_missing\"></label>"
      "<label>Lô <input name=\"batch\" value=\"{}\"></label>"
      "<label>Thủ tục <select name=\"procedure\">{}</select></label><button type=\"submit\">Lọc</button></form>",
      escape(f.reason), escape(f.batch), options);
  body += fmt::format(
      "<form method=\"post\" action=\"/queue/next\" class=\"next\">{}"
      "<input type=\"hidden\" name=\"reason\" value=\"{}\"><input type=\"hidden\" name=\"batch\" value=\"{}\">"
      "<input type=\"hidden\" name=\"procedure\" value=\"{}\">"
      "<button type=\"submit\" id=\"take-next\" accesskey=\"n\">Lấy hồ sơ tiếp theo <kbd>N</kbd></button> "
      "<span class=\"count\">{} hồ sơ cần kiểm tra</span></form>",
      csrf_field(c), escape(f.reason), escape(f.batch), escape(f.procedure), items.size());
  body +=
      "<table class=\"queue\"><thead><tr><th>Mã hồ sơ</th><th>Hạn trả</th><th>Tiếp nhận</th><th>Thủ tục</th>"
      "<th>Người nộp</th><th>Lý do cần kiểm tra</th><th>Đang xử lý</th></tr></thead><tbody>";
  for (const auto& q : items)
    body += fmt::format(
        "<tr><td><a "
        "href=\"/dossiers/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        url_encode(q.code), escape(q.code), date_vi(q.due_date), time_vi(q.received_at), escape(q.procedure),
        escape(q.applicant), reasons_html(q.reasons), escape(q.lease_user, ""));
  body += "</tbody></table>";
  c.html(200, page({"Hàng chờ kiểm tra", c.session, "queue", body, "queue-page"}));
}

json dossier_json(App& app, Store& store, const ReviewedDossier& d) {
  json fields = json::array();
  std::map<std::string, std::vector<std::string>> flagged;  // field -> reasons about it
  for (const auto& r : d.record.reasons)
    for (const auto& f : fields_of_reason(r)) flagged[f].push_back(reason_label(r.text));
  const auto broken = broken_fields(d.record, app.rules());
  for (const auto& f : editable_fields()) {
    const auto v = value_of(d.record, f.key);
    const auto o = d.original ? value_of(*d.original, f.key) : v;
    json evidence;  // null: nothing read
    if (const auto e = d.record.evidence.find(f.key); e != d.record.evidence.end()) {
      json words = json::array();
      for (const auto& w : e->second.words)
        words.push_back({{"text", w.text}, {"x", w.x}, {"y", w.y}, {"w", w.w}, {"h", w.h}});
      evidence = {{"source", e->second.source},
                  {"page", e->second.page ? json(*e->second.page) : json()},
                  {"confidence", e->second.confidence},
                  {"words", words},
                  {"label", evidence_label(e->second)}};
    }
    fields.push_back({{"key", f.key},
                      {"label", f.label},
                      {"rule", f.rule},
                      {"value", v ? json(*v) : json()},
                      {"original", o ? json(*o) : json()},
                      {"flagged", flagged[f.key]},
                      {"error", broken.count(f.key) ? json(broken.at(f.key)) : json()},
                      {"evidence", evidence}});
  }
  json reasons = json::array();
  for (const auto& r : d.record.reasons) reasons.push_back({{"reason", r.text}, {"label", reason_label(r.text)}});
  json history = json::array();
  for (const auto& e : store.audit_of("dossier:" + d.code))
    if (e.action != "open")
      history.push_back({{"at", e.at},
                         {"actor", e.actor},
                         {"action", e.action},
                         {"old", e.old_value ? json(*e.old_value) : json()},
                         {"new", e.new_value ? json(*e.new_value) : json()}});
  return {{"history", history},
          {"code", d.code},
          {"batch", d.batch_id},
          {"version", d.version},
          {"state", d.state},
          {"review_state", d.review_state},
          {"review_note", d.review_note ? json(*d.review_note) : json()},
          {"held_by", d.lease_user ? json(*d.lease_user) : json()},
          {"record", to_json(d.record)},
          {"original", d.original ? to_json(*d.original) : json()},
          {"explanation", d.explanation},
          {"fields", fields},
          {"reasons", reasons}};
}

void page_dossier(Call& c) {
  const std::string code = c.args.at(0);
  auto desk = c.app.desk(c.store());
  auto d = desk.open(code);
  if (!d) return page_error(c, 404, "Không có hồ sơ " + code + ".");
  c.audit("open", "dossier:" + code);
  // An operator opening a dossier to review takes it (when no one else holds it).
  bool editable = false;
  if (may(c.session->role, Role::operator_) && d->review_state == "pending") {
    const auto leased = desk.lease(code, c.user());
    if (!error_of(leased)) {
      d = std::get<ReviewedDossier>(leased);
      editable = true;
    }
  }
  const DossierRecord& r = d->record;
  std::string body;
  std::string status;
  if (d->review_state == "pending" && !editable)
    status = d->lease_user ? "Đang được " + escape(*d->lease_user) + " kiểm tra: chỉ xem." : "Cần kiểm tra.";
  else if (d->review_state == "confirmed") status = "Đã xác nhận.";
  else if (d->review_state == "rejected") status = "Đã chuyển ngoại lệ: " + escape(d->review_note, "");
  else if (d->review_state == "none") status = "Không cần kiểm tra.";
  if (c.req.has_param("split"))
    status = "Đã tách: các trang từ trang đã chọn thành hồ sơ <a href=\"/dossiers/" +
             url_encode(c.req.get_param_value("split")) + "\">" + escape(c.req.get_param_value("split")) + "</a>. " +
             status;
  if (c.req.has_param("merged")) status = "Đã gộp hồ sơ sau vào hồ sơ này. " + status;
  if (c.req.has_param("moved"))
    status = "Đã chuyển trang " + escape(c.req.get_param_value("moved")) + " sang hồ sơ khác. " + status;
  if (c.req.has_param("retyped"))
    status = "Đã đổi loại trang " + escape(c.req.get_param_value("retyped")) + "; hồ sơ được dựng lại. " + status;
  body += fmt::format("<p class=\"status\" role=\"status\" id=\"status\">{}</p>", status);

  // Page strip by document, then the viewer.
  std::map<int, std::string> doc_of;
  for (const auto& doc : r.documents)
    for (int n : doc.pages) doc_of[n] = doc.type;
  std::string strip = "<nav class=\"strip\" aria-label=\"Các trang\">";
  std::string group;
  for (const auto& p : r.pages) {
    const std::string type = p.type ? std::string(name_of(*p.type)) : "";
    const std::string doc = doc_of.count(p.number) ? doc_of[p.number] : type;
    if (doc != group) {
      strip += "<h3>" + escape(page_type_label(doc)) + "</h3>";
      group = doc;
    }
    strip += fmt::format(
        "<button type=\"button\" class=\"thumb\" data-page=\"{0}\" data-rotation=\"{3}\" data-type=\"{4}\" "
        "title=\"Trang {0}: {1}\"><img src=\"/pages/{2}/{0}?w=160\" alt=\"Trang {0}\" loading=\"lazy\"><span>{0}</span>"
        "</button>",
        p.number, escape(page_type_label(type)), url_encode(code), p.rotation, escape(type));
  }
  strip += "</nav>";
  const int first = r.pages.empty() ? 0 : r.pages.front().number;
  body += "<div class=\"review\">" + strip;
  body += fmt::format(
      "<section class=\"viewer\" aria-label=\"Trang đang xem\"><div class=\"tools\">"
      "<button type=\"button\" data-zoom=\"out\" title=\"Thu nhỏ (-)\">−</button>"
      "<button type=\"button\" data-zoom=\"in\" title=\"Phóng to (+)\">+</button>"
      "<button type=\"button\" data-turn=\"1\" title=\"Xoay để xem, bản quét không đổi (Alt+R)\">⟳</button>"
      "<label><input type=\"checkbox\" id=\"show-words\" checked> Khung chữ</label>{2}</div>"
      "<div class=\"canvas\" id=\"canvas\"><div class=\"sheet\" id=\"sheet\">"
      "<img id=\"page-image\" alt=\"Trang đang xem\" src=\"/pages/{0}/{1}?w=1200\" data-page=\"{1}\">"
      "<div class=\"boxes\" id=\"boxes\"></div></div></div></section>",
      url_encode(code), first,
      editable ? "<button type=\"button\" id=\"split\" title=\"Alt+S\">Tách từ trang này</button>"
                 "<button type=\"button\" id=\"merge\" title=\"Alt+M\">Gộp với hồ sơ trước</button>"
                 "<button type=\"button\" id=\"move\" title=\"Alt+C\">Chuyển trang…</button>"
                 "<button type=\"button\" id=\"retype\" title=\"Alt+L\">Đổi loại trang…</button>"
               : "");

  // The fields.
  const json dj = dossier_json(c.app, c.store(), *d);
  std::string form = fmt::format("<section class=\"fields\"><form id=\"record-form\" autocomplete=\"off\">");
  for (const auto& f : dj["fields"]) {
    const std::string key = f["key"], id = "f-" + key;
    std::string id_attr = id;
    std::replace(id_attr.begin(), id_attr.end(), '.', '-');
    const std::string value = f["value"].is_string() ? f["value"].get<std::string>() : "";
    std::string why;
    for (const auto& w : f["flagged"]) why += (why.empty() ? "" : "; ") + w.get<std::string>();
    const bool flagged = !f["flagged"].empty() || f["error"].is_string();
    const std::string original = f["original"].is_string() ? f["original"].get<std::string>() : "";
    std::string input;
    if (key == "procedure.id") {
      input = fmt::format("<select id=\"{}\" name=\"{}\" data-rule=\"procedure\"{}><option value=\"\">—</option>",
                          id_attr, escape(key), editable ? "" : " disabled");
      for (const auto& p : c.app.catalog.procedures())
        input += fmt::format("<option value=\"{}\"{}>{}</option>", escape(p.id), p.id == value ? " selected" : "",
                             escape(p.name));
      input += "</select>";
    } else {
      input = fmt::format("<input id=\"{}\" name=\"{}\" value=\"{}\" data-rule=\"{}\" data-saved=\"{}\"{}>", id_attr,
                          escape(key), escape(value), escape(f["rule"].get<std::string>()), escape(value),
                          editable ? "" : " readonly");
    }
    const json& ev = f["evidence"];
    form += fmt::format(
        "<div class=\"field{}\" data-key=\"{}\" data-evidence=\"{}\"><label for=\"{}\">{}</label>{}"
        "<small class=\"source\">{}</small>"
        "<small class=\"why\">{}</small><small class=\"error\" aria-live=\"polite\">{}</small>{}</div>",
        flagged ? " flagged" : "", escape(key), escape(ev.dump()), id_attr, escape(f["label"].get<std::string>()),
        input, ev.is_object() ? escape(ev["label"].get<std::string>()) : "", escape(why),
        f["error"].is_string() ? escape(f["error"].get<std::string>()) : "",
        original != value
            ? "<small class=\"original\">Máy đọc: " + escape(original.empty() ? "—" : original) + "</small>"
            : "");
  }
  std::string reject;
  for (const auto& reason : c.app.serve.reject_reasons)
    reject += "<option value=\"" + escape(reason) + "\">" + escape(reason) + "</option>";
  if (!editable && may(c.session->role, Role::operator_) && d->review_state != "merged" && d->review_state != "pending")
    form += "<div class=\"actions\"><button type=\"button\" id=\"reopen\">Mở lại để kiểm tra</button></div>";
  if (editable)
    form += fmt::format(
        "<div class=\"actions\"><button type=\"button\" id=\"confirm\" title=\"Ctrl+Enter\">Xác nhận và tiếp "
        "<kbd>Ctrl+Enter</kbd></button>"
        "<select id=\"reject-reason\" aria-label=\"Lý do từ chối\">{}</select>"
        "<button type=\"button\" id=\"reject\" title=\"Ctrl+Delete\">Chuyển ngoại lệ</button></div>",
        reject);
  form +=
      "<p class=\"hint\">Enter: lưu trường và sang trường cần kiểm tra tiếp theo · Ctrl+Enter: xác nhận hồ sơ và "
      "mở hồ sơ tiếp · ?: phím tắt</p></form>";
  form += "<h2>Lý do cần kiểm tra</h2><ul class=\"reasons\" id=\"reasons\">";
  for (const auto& reason : r.reasons) form += "<li>" + escape(reason_label(reason.text)) + "</li>";
  if (r.reasons.empty()) form += "<li class=\"none\">Không còn lý do nào.</li>";
  form += "</ul>";

  // Why the pages were grouped so.
  if (d->explanation.is_object()) {
    const auto& b = d->explanation["boundary"];
    static const std::map<std::string, std::string> why{{"batch_start", "hồ sơ đầu tiên của lô"},
                                                        {"separator", "sau tờ phân cách ở trang"},
                                                        {"envelope", "bắt đầu ở phong bì, trang"}};
    const std::string reason =
        b.is_object() && b.value("reason", json()).is_string() ? b["reason"].get<std::string>() : "";
    form += "<h2>Vì sao các trang được nhóm như vậy</h2><p>";
    form += escape(why.count(reason) ? why.at(reason) : reason);
    if (reason != "batch_start" && b.is_object() && b.value("page", json()).is_number_integer())
      form += " " + std::to_string(b["page"].get<int>());
    form +=
        ".</p><table class=\"evidence\"><thead><tr><th>Trang</th><th>Loại</th><th>Dấu hiệu</th></tr></thead><tbody>";
    for (const auto& p : d->explanation.value("pages", json::array())) {
      std::string signals;
      for (const auto& e : p.value("evidence", json::array()))
        if (e.is_object())
          signals += escape(e.value("signal", "")) +
                     (e.value("weight", 0.0) ? fmt::format(" ({:g})", e.value("weight", 0.0)) : "") + "<br>";
      form += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", p.value("number", 0),
          escape(page_type_label(p.value("type", json()).is_string() ? p["type"].get<std::string>() : "")), signals);
    }
    form += "</tbody></table>";
  }

  // The lifecycle, for the mailroom: the state now and where it may go.
  if (const auto st = c.store().status(code)) {
    form += "<h2>Trạng thái hồ sơ</h2><p>" + escape(state_label(st->state)) + "</p>";
    const auto next = next_states(st->state);
    if (may(c.session->role, Role::mailroom) && !next.empty()) {
      form += "<div class=\"lifecycle\"><select id=\"next-state\" aria-label=\"Trạng thái mới\">";
      for (const auto& n : next) form += "<option value=\"" + escape(n) + "\">" + escape(state_label(n)) + "</option>";
      form +=
          "</select><input id=\"state-note\" placeholder=\"Ghi chú\" aria-label=\"Ghi chú\">"
          "<button type=\"button\" id=\"set-state\">Chuyển trạng thái</button></div>";
    }
  }

  // History: lifecycle and every change anyone made.
  form +=
      "<h2>Lịch sử</h2><table class=\"history\"><thead><tr><th>Lúc</th><th>Ai</th><th>Việc</th><th>Trước</th>"
      "<th>Sau</th></tr></thead><tbody>";
  for (const auto& e : c.store().audit_of("dossier:" + code)) {
    if (e.action == "open") continue;
    form += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", time_vi(e.at),
                        escape(e.actor), escape(e.action), audit_value(e.old_value), audit_value(e.new_value));
  }
  if (const auto st = c.store().status(code))
    for (const auto& e : st->history)
      form += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", time_vi(e.at),
                          escape(e.actor), "trạng thái", escape(state_label(e.from)), escape(state_label(e.to)));
  form += "</tbody></table></section>";
  body += form + "</div>";
  body +=
      "<dialog id=\"help\"><h2>Phím tắt</h2><dl>"
      "<dt>Enter</dt><dd>Lưu trường, sang trường cần kiểm tra tiếp theo</dd>"
      "<dt>Tab / Shift+Tab</dt><dd>Trường sau / trước</dd>"
      "<dt>Ctrl+Enter</dt><dd>Xác nhận hồ sơ và mở hồ sơ tiếp theo</dd>"
      "<dt>Ctrl+Delete</dt><dd>Chuyển hồ sơ sang ngoại lệ với lý do đã chọn</dd>"
      "<dt>Alt+→ / Alt+←</dt><dd>Trang sau / trước</dd>"
      "<dt>Alt+= / Alt+-</dt><dd>Phóng to / thu nhỏ</dd>"
      "<dt>Alt+S</dt><dd>Tách hồ sơ: trang đang xem và các trang sau thành hồ sơ mới</dd>"
      "<dt>Alt+M</dt><dd>Gộp hồ sơ này vào hồ sơ đứng trước trong lô</dd>"
      "<dt>Alt+C</dt><dd>Chuyển trang đang xem sang hồ sơ khác của lô</dd>"
      "<dt>Alt+L</dt><dd>Đổi loại của trang đang xem</dd>"
      "<dt>Alt+R</dt><dd>Xoay trang để xem (bản quét gốc không đổi)</dd>"
      "<dt>Esc</dt><dd>Bỏ giá trị đang gõ</dd><dt>?</dt><dd>Bảng này</dd></dl>"
      "<button type=\"button\" id=\"help-close\">Đóng</button></dialog>";
  if (editable) {
    // Move a page: to another dossier of the batch; the server says which may take it.
    std::string targets;
    for (const auto& other : c.store().dossiers(d->batch_id)) {
      if (!other.dossier_code || *other.dossier_code == code || other.pages.empty()) continue;
      targets += fmt::format("<option value=\"{}\">{} · trang {}–{} · {}</option>", escape(*other.dossier_code),
                             escape(*other.dossier_code), other.pages.front().number, other.pages.back().number,
                             escape(other.applicant.full_name, "chưa rõ người nộp"));
    }
    body += fmt::format(
        "<dialog id=\"move-dialog\"><h2>Chuyển trang <span class=\"page-no\"></span></h2>"
        "<label>Sang hồ sơ <select id=\"move-to\">{}</select></label>"
        "<p class=\"hint\">Enter: chuyển · Esc: thôi</p></dialog>"
        "<dialog id=\"type-dialog\"><h2>Loại của trang <span class=\"page-no\"></span></h2>"
        "<label>Loại <select id=\"type-to\">",
        targets);
    for (const char* t : {"envelope", "application_form", "id_card", "supporting_document", "blank"})
      body += fmt::format("<option value=\"{}\">{}</option>", t, escape(page_type_label(t)));
    body += "</select></label><p class=\"hint\">Enter: đổi · Esc: thôi</p></dialog>";
  }
  const std::string title = "Hồ sơ " + code;
  std::string frame = page({title, c.session, "queue", body, "dossier-page"});
  // The dossier's identity for the script, as data attributes on <main> (no inline script).
  const std::string marker = "<main>";
  frame.replace(frame.find(marker), marker.size(),
                fmt::format("<main id=\"dossier\" data-code=\"{}\" data-version=\"{}\" data-editable=\"{}\">",
                            escape(code), d->version, editable ? 1 : 0));
  c.html(200, frame);
}

void page_batches(Call& c) {
  std::string body =
      "<section class=\"upload\"><h2>Tải lên một lô quét</h2><form id=\"upload\" enctype=\"multipart/form-data\">"
      "<input type=\"file\" id=\"upload-files\" name=\"files\" multiple "
      "accept=\".png,.jpg,.jpeg,.tif,.tiff,.webp,.pdf\">"
      "<button type=\"submit\">Tải lên và xử lý</button><span id=\"upload-status\" role=\"status\"></span></form>"
      "<p class=\"hint\">Có thể kéo thả nhiều tệp vào đây. Mỗi lần tải lên là một lô, xử lý như thư mục quét.</p>"
      "</section><h2>Đang xử lý</h2><table class=\"live\" id=\"live\"><thead><tr><th>Lô</th><th>Nguồn</th>"
      "<th>Trạng thái</th><th>Tiến độ</th><th>Cách ly</th></tr></thead><tbody>";
  for (const auto& b : c.app.live_batches())
    body += fmt::format(
        "<tr data-ticket=\"{}\"><td>{}</td><td>{}</td><td class=\"state\">{}</td><td class=\"progress\">"
        "<progress max=\"{}\" value=\"{}\"></progress> {}/{}</td><td class=\"q\">{}</td></tr>",
        b.ticket, escape(b.batch_id), escape(text::printable(std::filesystem::path(b.input).filename().string())),
        escape(b.state), std::max(1, b.progress.total), b.progress.done, b.progress.done, b.progress.total,
        b.progress.quarantined);
  body +=
      "</tbody></table><h2>Các lô đã nhận</h2><table class=\"batches\"><thead><tr><th>Lô</th><th>Nguồn</th>"
      "<th>Nhận lúc</th><th>Trạng thái</th><th>Trang</th><th>Hồ sơ</th><th>Cần kiểm tra</th><th>Cách ly</th>"
      "</tr></thead><tbody>";
  for (const auto& b : c.store().batches())
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        "<a href=\"/batches/" + url_encode(b.batch_id) + "\">" + escape(b.batch_id) + "</a>",
        escape(text::printable(std::filesystem::path(b.input).filename().string())), time_vi(b.received_at),
        b.state == "committed" ? "Đã ghi" : "Dở dang (chạy lại để hoàn tất)", b.processed, b.pages, b.dossiers,
        b.to_review, b.quarantined);
  body += "</tbody></table>";
  c.html(200, page({"Lô quét", c.session, "batches", body, "batches-page"}));
}

void page_batch(Call& c) {
  Store& store = c.store();
  const auto batch = store.batch(c.args.at(0));
  if (!batch) return page_error(c, 404, "Không có lô " + c.args.at(0) + ".");
  BatchRow row;
  if (const auto found = store.batch_row(batch->batch_id)) row = *found;
  std::string body = fmt::format(
      "<dl class=\"summary\"><dt>Nguồn</dt><dd>{}</dd><dt>Nhận lúc</dt><dd>{}</dd><dt>Trạng thái</dt><dd>{}</dd>"
      "<dt>Trang</dt><dd>{} / {} đã xử lý</dd><dt>Hồ sơ</dt><dd>{} ({} cần kiểm tra)</dd><dt>Cách "
      "ly</dt><dd>{}</dd></dl>"
      "<div class=\"actions\" id=\"batch\" data-batch=\"{}\"><button type=\"button\" id=\"resume\">Chạy lại lô</button>"
      "<a class=\"button\" id=\"receipts\" href=\"/batches/{}/receipts.pdf\" target=\"_blank\">In giấy tiếp nhận của "
      "lô (PDF)</a><span id=\"batch-status\" role=\"status\"></span></div>",
      escape(text::printable(batch->input)), time_vi(batch->received_at),
      batch->state == "committed" ? "Đã ghi" : "Dở dang: chạy lại để hoàn tất", row.processed, row.pages, row.dossiers,
      row.to_review, row.quarantined, escape(batch->batch_id), escape(batch->batch_id));
  const auto dossiers = store.dossiers(batch->batch_id);
  int tracking = 0;
  for (const auto& d : dossiers) tracking += d.tracking_number ? 1 : 0;
  body += fmt::format(
      "<h2>Hồ sơ ({} đọc được số hiệu bưu gửi)</h2><table class=\"found\"><thead><tr><th>Mã hồ sơ</th>"
      "<th>Trang</th><th>Số hiệu bưu gửi</th><th>Người nộp</th><th>Cần kiểm tra</th></tr></thead><tbody>",
      tracking);
  for (const auto& d : dossiers) {
    if (d.pages.empty()) continue;  // merged into another
    body += fmt::format(
        "<tr><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        d.dossier_code ? "<a href=\"/dossiers/" + url_encode(*d.dossier_code) + "\">" + escape(*d.dossier_code) + "</a>"
                       : "—",
        d.pages.front().number, d.pages.back().number, escape(d.tracking_number), escape(d.applicant.full_name),
        reasons_html(d.reasons));
  }
  body += "</tbody></table><h2>Trang bị cách ly</h2><div class=\"quarantine\">";
  const auto quarantined = store.quarantined(batch->batch_id);
  if (quarantined.empty()) body += "<p>Không có trang nào bị cách ly.</p>";
  for (const auto& q : quarantined)
    body += fmt::format(
        "<figure><img src=\"/batches/{0}/pages/{1}?w=200\" alt=\"Trang {1}\" loading=\"lazy\"><figcaption>Trang {1}: "
        "{2} (trang {3} của tệp)<br><span class=\"error\">{4}</span><br><button type=\"button\" class=\"retry\" "
        "data-page=\"{1}\">Thử lại trang này</button></figcaption></figure>",
        escape(batch->batch_id), q.page_number, escape(text::printable(q.source_file)), q.source_page,
        escape(text::printable(q.reason)));
  body += "</div>";
  c.html(200, page({"Lô " + batch->batch_id, c.session, "batches", body, "batch-page"}));
}

void page_search(Call& c) {
  const std::string q = c.req.get_param_value("q");
  std::string body = fmt::format(
      "<form method=\"get\" action=\"/search\" class=\"search\"><label for=\"q\">Mã hồ sơ, số hiệu bưu gửi, số định "
      "danh hoặc tên người nộp</label><input id=\"q\" name=\"q\" value=\"{}\" autofocus>"
      "<button type=\"submit\">Tìm</button></form>",
      escape(q));
  if (!q.empty()) {
    const auto found = c.store().search(q);
    c.audit("search", "dossiers", std::nullopt, q);
    body += fmt::format(
        "<p>{} hồ sơ.</p><table class=\"found\"><thead><tr><th>Mã hồ sơ</th><th>Trạng thái</th>"
        "<th>Số hiệu bưu gửi</th><th>Thủ tục</th><th>Người nộp</th><th>Hạn trả</th></tr></thead><tbody>",
        found.size());
    for (const auto& r : found) {
      const auto st = r.dossier_code ? c.store().status(*r.dossier_code) : std::nullopt;
      body += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                          r.dossier_code ? "<a href=\"/dossiers/" + url_encode(*r.dossier_code) + "\">" +
                                               escape(*r.dossier_code) + "</a>"
                                         : "—",
                          st ? escape(state_label(st->state)) : "—", escape(r.tracking_number),
                          escape(r.procedure.name), escape(r.applicant.full_name), date_vi(r.due_date));
    }
    body += "</tbody></table>";
  }
  c.html(200, page({"Tra cứu hồ sơ", c.session, "search", body, "search-page"}));
}

void page_users(Call& c, const std::string& message, bool error) {
  std::string body;
  if (!message.empty())
    body += fmt::format("<p class=\"{}\" role=\"status\">{}</p>", error ? "error" : "notice", escape(message));
  auto role_options = [](Role selected) {
    std::string out;
    for (Role r : {Role::mailroom, Role::operator_, Role::admin})
      out += fmt::format("<option value=\"{}\"{}>{}</option>", name_of(r), r == selected ? " selected" : "",
                         role_label(r));
    return out;
  };
  body +=
      "<table class=\"users\"><thead><tr><th>Tên</th><th>Vai trò</th><th>Trạng thái</th><th>Tạo lúc</th>"
      "<th></th></tr></thead><tbody>";
  for (const auto& u : c.app.accounts(c.store()).users())
    body += fmt::format(
        "<tr><td>{0}</td><td><form method=\"post\" action=\"/admin/users/{0}\">{1}<input type=\"hidden\" "
        "name=\"action\" value=\"role\"><select name=\"role\">{2}</select><button type=\"submit\">Đổi</button></form>"
        "</td><td>{3}</td><td>{4}</td><td><form method=\"post\" action=\"/admin/users/{0}\">{1}<input type=\"hidden\" "
        "name=\"action\" value=\"{5}\"><button type=\"submit\">{6}</button></form></td></tr>",
        escape(u.name), csrf_field(c), role_options(u.role), u.disabled ? "Đã khóa" : "Đang dùng",
        time_vi(u.created_at), u.disabled ? "enable" : "disable", u.disabled ? "Mở khóa" : "Khóa");
  body += "</tbody></table>";
  body += fmt::format(
      "<h2>Thêm người dùng</h2><form method=\"post\" action=\"/admin/users\" class=\"add-user\">{}"
      "<label>Tên đăng nhập <input name=\"user\" required pattern=\"[a-z0-9._-]{{2,32}}\"></label>"
      "<label>Vai trò <select name=\"role\">{}</select></label>"
      "<label>Mật khẩu (ít nhất 10 ký tự) <input name=\"password\" type=\"password\" minlength=\"10\" required "
      "autocomplete=\"new-password\"></label><button type=\"submit\">Thêm</button></form>",
      csrf_field(c), role_options(Role::operator_));
  body +=
      "<h2>Nhật ký gần đây</h2><table class=\"history\"><thead><tr><th>Lúc</th><th>Ai</th><th>Việc</th>"
      "<th>Đối tượng</th><th>Sau</th><th>Địa chỉ</th></tr></thead><tbody>";
  for (const auto& e : c.store().latest_audit(50))
    body +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", time_vi(e.at),
                    escape(e.actor), escape(e.action), escape(e.object), audit_value(e.new_value), escape(e.address));
  body += "</tbody></table>";
  c.html(200, page({"Người dùng", c.session, "users", body, "users-page"}));
}

}  // namespace intake::web
