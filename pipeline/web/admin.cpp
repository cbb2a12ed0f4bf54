// The admins' config desk (pipeline/web/config_desk.h): its pages and their form posts. Every
// dry run, apply and discard goes into the audit, an apply with the old and new text of each file.
#include <fmt/core.h>

#include "pipeline/text.h"
#include "pipeline/web/app.h"
#include "pipeline/web/html.h"

namespace intake::web {
namespace {

using json = nlohmann::json;

std::string state_vi(const std::string& state) {
  if (state == "running") return "Đang chạy thử";
  if (state == "done") return "Đã chạy xong: chờ quyết định";
  if (state == "failed") return "Chạy thử lỗi";
  if (state == "applied") return "Đã áp dụng";
  if (state == "discarded") return "Đã bỏ";
  return state;
}

std::string percent_or(const json& v, bool speed) {
  if (!v.is_number()) return "—";
  return speed ? fmt::format("{:.1f}", v.get<double>()) : fmt::format("{:.1f}%", 100 * v.get<double>());
}

std::string value_html(const json& v) {
  if (v.is_null()) return "<span class=\"hint\">(trống)</span>";
  return escape(v.is_string() ? v.get<std::string>() : v.dump());
}

std::string diff_html(const std::string& before, const std::string& after) {
  std::string out = "<pre class=\"diff\">";
  for (const auto& line : line_diff(before, after)) {
    const char* cls = line.rfind("+ ", 0) == 0 ? "add" : line.rfind("- ", 0) == 0 ? "del" : "same";
    out += fmt::format("<span class=\"{}\">{}</span>\n", cls, escape(line));
  }
  return out + "</pre>";
}

void page_config(Call& c, const std::string& message, bool error, const std::map<std::string, std::string>& shown,
                 int status = 200) {
  ConfigDesk& desk = *c.app.config_desk;
  std::string body;
  if (!message.empty())
    body += fmt::format("<p class=\"{}\" role=\"{}\" id=\"config-message\">{}</p>", error ? "error" : "notice",
                        error ? "alert" : "status", escape(message));
  if (desk.files().empty()) {
    body +=
        "<p>intake serve đang chạy với cấu hình mặc định dựng sẵn: không có tệp cấu hình nào để sửa. Hãy chạy "
        "<code>intake serve --config TỆP</code>.</p>";
    return c.html(status, page({"Cấu hình", c.session, "config", body, "config-page"}));
  }
  const auto& corpus = desk.corpus();
  body += fmt::format(
      "<p class=\"hint\">Sửa tệp rồi bấm <strong>Chạy thử</strong>: cấu hình hiện tại và bản thử cùng chạy trên bộ hồ "
      "sơ mẫu có nhãn <code>{}</code>{}, kết quả đặt cạnh nhau. Chỉ khi bạn bấm <strong>Áp dụng</strong> thì tệp mới "
      "được ghi; intake serve nạp lại cấu hình khi không còn lô nào đang chạy.</p>",
      escape(corpus.corpus.string()),
      corpus.generate ? fmt::format(" (tự tạo {} trang lần đầu)", corpus.pages) : std::string());
  body += fmt::format(
      "<form method=\"post\" action=\"/admin/config/dry-run\" id=\"config-form\" "
      "enctype=\"multipart/form-data\">{}",
      csrf_field(c));
  for (const auto& f : desk.files()) {
    const auto it = shown.find(f.key);
    body += fmt::format(
        "<section class=\"config-file\"><h2><label for=\"file-{0}\">{1}</label></h2><p class=\"hint\"><code>{2}</code>"
        "</p><textarea id=\"file-{0}\" name=\"{0}\" spellcheck=\"false\" rows=\"18\">{3}</textarea></section>",
        escape(f.key), escape(f.label), escape(f.path.string()), escape(it == shown.end() ? "" : it->second));
  }
  body += fmt::format("<p><button type=\"submit\" class=\"primary\"{}>Chạy thử</button></p></form>",
                      desk.can_dry_run() ? "" : " disabled");
  const auto runs = desk.all();
  if (!runs.empty()) {
    body +=
        "<h2>Các lượt chạy thử</h2><table class=\"dry-runs\"><thead><tr><th>Lúc</th><th>Ai</th><th>Trạng thái"
        "</th><th></th></tr></thead><tbody>";
    for (const auto& r : runs)
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/admin/config/dry-run/{}\">Xem</a></td>"
          "</tr>",
          time_vi(r.started_at), escape(r.by), escape(state_vi(r.state)), escape(r.id));
    body += "</tbody></table>";
  }
  c.html(status, page({"Cấu hình", c.session, "config", body, "config-page"}));
}

void page_dry_run(Call& c, const DryRun& run, const std::string& message = "", int status = 200) {
  ConfigDesk& desk = *c.app.config_desk;
  std::string body =
      fmt::format("<div id=\"dry-run\" data-id=\"{}\" data-state=\"{}\"></div>", escape(run.id), escape(run.state));
  if (!message.empty()) body += "<p class=\"error\" role=\"alert\" id=\"config-message\">" + escape(message) + "</p>";
  body += fmt::format("<p class=\"status\" id=\"dry-run-state\">{}</p><p class=\"hint\">Bắt đầu {} bởi {}.</p>",
                      escape(state_vi(run.state)), time_vi(run.started_at), escape(run.by));

  body += "<h2>Thay đổi</h2>";
  for (const auto& f : desk.files()) {
    const auto& before = run.base.at(f.key);
    const auto& after = run.candidate.at(f.key);
    if (before == after) continue;
    body += fmt::format("<h3>{} <code>{}</code></h3>{}", escape(f.label), escape(f.path.string()),
                        diff_html(before, after));
  }
  if (run.state == "running") {
    body +=
        "<p class=\"hint\">Cấu hình hiện tại rồi đến bản thử chạy trên bộ hồ sơ mẫu; trang này tự cập nhật "
        "khi xong.</p>";
    body += fmt::format(
        "<form method=\"post\" action=\"/admin/config/dry-run/{}/discard\">{}<button "
        "type=\"submit\">Dừng và bỏ</button></form>",
        escape(run.id), csrf_field(c));
  }
  if (run.state == "failed") body += "<p class=\"error\" id=\"dry-run-error\">" + escape(run.error) + "</p>";
  if (run.state == "done" || run.state == "applied") {
    const json& r = run.result;
    const int better = r.value("better", 0), worse = r.value("worse", 0);
    body += fmt::format(
        "<h2>Kết quả: hiện tại và bản thử</h2><p id=\"verdict\" class=\"{}\">Bản thử tốt hơn ở {} chỉ số, kém hơn ở {} "
        "chỉ số.</p>",
        worse > 0    ? "error"
        : better > 0 ? "notice"
                     : "hint",
        better, worse);
    body +=
        "<table class=\"compare\" id=\"compare\"><thead><tr><th>Chỉ số</th><th>Hiện tại</th><th>Bản thử</th>"
        "<th></th></tr></thead><tbody>";
    for (const auto& m : r.value("measures", json::array())) {
      const bool speed = m.value("key", "") == "pages_per_minute";
      const std::string b = m.value("better", "");
      body += fmt::format(
          "<tr data-key=\"{}\" data-better=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
          escape(m.value("key", "")), escape(b), escape(m.value("label", "")), percent_or(m["current"], speed),
          percent_or(m["candidate"], speed),
          b == "candidate" ? "better"
          : b == "current" ? "worse"
                           : "",
          b == "candidate" ? "▲ tốt hơn"
          : b == "current" ? "▼ kém hơn"
                           : "");
    }
    body += "</tbody></table>";
    const json changed = r.value("changed", json::array());
    body += fmt::format("<h2>Hồ sơ có kết quả khác ({})</h2>", changed.size());
    if (!changed.empty()) {
      body +=
          "<table class=\"changed\"><thead><tr><th>Lô</th><th>Trang đầu</th><th>Khác ở</th><th>Trường</th>"
          "<th>Đúng</th><th>Hiện tại</th><th>Bản thử</th></tr></thead><tbody>";
      for (const auto& d : changed) {
        const json fields = d.value("fields", json::array());
        const std::size_t rows = std::max<std::size_t>(1, fields.size());
        for (std::size_t k = 0; k < rows; ++k) {
          body += "<tr>";
          if (k == 0)
            body +=
                fmt::format("<td rowspan=\"{0}\">{1}</td><td rowspan=\"{0}\">{2}</td><td rowspan=\"{0}\">{3}</td>",
                            rows, escape(d.value("batch", "")), d.value("first_page", 0), escape(d.value("what", "")));
          if (k < fields.size()) {
            const json& f = fields[k];
            const auto right = [&](const char* side) { return f[side] == f["truth"] ? " class=\"better\"" : ""; };
            body += fmt::format("<td>{}</td><td>{}</td><td{}>{}</td><td{}>{}</td>", escape(f.value("field", "")),
                                value_html(f["truth"]), right("current"), value_html(f["current"]), right("candidate"),
                                value_html(f["candidate"]));
          } else {
            body += "<td colspan=\"4\"></td>";
          }
          body += "</tr>";
        }
      }
      body += "</tbody></table>";
    }
    if (run.state == "done") {
      body += fmt::format(
          "<div class=\"decide\"><form method=\"post\" action=\"/admin/config/dry-run/{0}/apply\" "
          "id=\"apply-form\">{1}",
          escape(run.id), csrf_field(c));
      if (worse > 0)
        body += fmt::format(
            "<label class=\"error\"><input type=\"checkbox\" name=\"accept_worse\" value=\"1\" "
            "required> Tôi biết bản thử kém hơn ở {} chỉ số</label> ",
            worse);
      body += fmt::format(
          "<button type=\"submit\" id=\"apply\" class=\"{}\">Áp dụng</button></form><form method=\"post\" "
          "action=\"/admin/config/dry-run/{}/discard\">{}<button type=\"submit\" id=\"discard\">Bỏ bản thử</button>"
          "</form></div>",
          worse > 0 ? "" : "primary", escape(run.id), csrf_field(c));
    }
  }
  body += "<p><a href=\"/admin/config\">Về trang cấu hình</a></p>";
  c.html(status, page({"Chạy thử cấu hình", c.session, "config", body, "dry-run-page"}));
}

std::map<std::string, std::string> form_texts(const Call& c) {
  std::map<std::string, std::string> out;
  for (const auto& f : c.app.config_desk->files())
    if (c.req.has_file(f.key)) out[f.key] = c.req.get_file_value(f.key).content;  // multipart: the form's files
    else if (c.req.has_param(f.key)) out[f.key] = c.req.get_param_value(f.key);
  return out;
}

}  // namespace

void get_config(Call& c) {
  std::string message;
  if (c.req.has_param("applied")) message = "Đã áp dụng cấu hình mới.";
  if (c.req.has_param("discarded")) message = "Đã bỏ bản thử; cấu hình không đổi.";
  page_config(c, message, false, c.app.config_desk->texts());
}

void post_config_dry_run(Call& c) {
  const auto texts = form_texts(c);
  const auto started = c.app.config_desk->start(texts, c.user(), App::now_iso());
  if (const auto* why = error_of(started)) return page_config(c, why->reason, true, texts, 422);
  const std::string& id = std::get<std::string>(started);
  std::string changed;
  const auto base = c.app.config_desk->texts();
  for (const auto& [key, text] : texts)
    if (base.count(key) && base.at(key) != text) changed += (changed.empty() ? "" : ", ") + key;
  c.audit("config.dry_run", id, std::nullopt, changed);
  c.redirect("/admin/config/dry-run/" + id);
}

void get_config_dry_run(Call& c) {
  const auto run = c.app.config_desk->find(c.args.at(0));
  if (!run) return page_error(c, 404, "Không có lượt chạy thử này (máy chủ đã khởi động lại?).");
  page_dry_run(c, *run);
}

void post_config_apply(Call& c) {
  ConfigDesk& desk = *c.app.config_desk;
  const auto run = desk.find(c.args.at(0));
  if (!run) return page_error(c, 404, "Không có lượt chạy thử này (máy chủ đã khởi động lại?).");
  if (run->state == "done" && run->result.value("worse", 0) > 0 && c.req.get_param_value("accept_worse") != "1")
    return page_dry_run(c, *run, "Bản thử kém hơn ở một số chỉ số: đánh dấu ô xác nhận nếu vẫn muốn áp dụng.", 422);
  const auto applied = desk.apply(run->id);
  if (const auto* why = error_of(applied)) return page_dry_run(c, *run, why->reason, 409);
  for (const auto& f : std::get<std::vector<AppliedFile>>(applied))
    c.audit("config.apply", f.path.string(), f.old_text, f.new_text);
  c.app.events.publish("dryrun", {{"id", run->id}, {"state", "applied"}});
  if (c.app.on_config_applied) c.app.on_config_applied();
  const std::string body = fmt::format(
      "<div id=\"reloading\" data-instance=\"{}\" data-id=\"{}\"></div><p class=\"notice\" role=\"status\">Đã ghi cấu "
      "hình mới. intake serve nạp lại cấu hình khi không còn lô nào đang chạy; trang này tự chuyển khi xong.</p>"
      "<p><a href=\"/admin/config\">Về trang cấu hình</a></p>",
      escape(c.app.instance), escape(run->id));
  c.html(200, page({"Đang nạp lại cấu hình", c.session, "config", body, "config-applied-page"}));
}

void post_config_discard(Call& c) {
  const auto done = c.app.config_desk->discard(c.args.at(0));
  if (const auto* why = error_of(done)) return page_error(c, 409, why->reason);
  c.audit("config.discard", c.args.at(0));
  c.redirect("/admin/config?discarded=" + url_encode(c.args.at(0)));
}

}  // namespace intake::web
