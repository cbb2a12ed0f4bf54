#include "pipeline/web/html.h"

#include <map>

#include <fmt/core.h>

#include "pipeline/dossier/record.h"
#include "pipeline/web/fields.h"

namespace intake::web {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape(const std::optional<std::string>& s, std::string_view none) {
  return s ? escape(*s) : std::string(none);
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string role_label(Role r) {
  switch (r) {
    case Role::mailroom: return "Văn thư";
    case Role::operator_: return "Kiểm tra viên";
    case Role::admin: return "Quản trị";
  }
  return "";
}

std::string evidence_label(const FieldEvidence& e) {
  static const std::map<std::string, std::string> kSources{{"barcode", "Mã vạch"},
                                                           {"id_card_qr", "Mã QR căn cước"},
                                                           {"ocr", "Chữ đọc được"},
                                                           {"classifier", "Theo nội dung tờ khai"},
                                                           {"operator", "Người kiểm tra nhập"}};
  static const std::map<std::string, std::string> kChecks{{"s10_check_digit", "đúng chữ số kiểm tra"},
                                                          {"vietnamese_name", "âm tiết tiếng Việt hợp lệ"},
                                                          {"citizen_id_province", "mã tỉnh hợp lệ"},
                                                          {"known_province", "có tỉnh/thành ở cuối"},
                                                          {"date", "ngày hợp lệ"},
                                                          {"phone_format", "đúng dạng số điện thoại"},
                                                          {"agrees:form", "khớp với tờ khai"},
                                                          {"agrees:envelope", "khớp với phong bì"},
                                                          {"agrees:id_card_qr", "khớp với mã QR căn cước"},
                                                          {"agrees:ocr", "khớp với tờ khai"},
                                                          {"agrees:id_number", "khớp với số định danh"},
                                                          {"agrees:date_of_birth", "khớp với năm sinh"},
                                                          {"accents_from:id_card_qr", "dấu lấy theo mã QR căn cước"}};
  const auto source = kSources.find(e.source);
  std::string out = source == kSources.end() ? e.source : source->second;
  if (e.page) out += fmt::format(", trang {}", *e.page);
  if (e.source != "operator") out += fmt::format(" · {:.0f}%", 100 * e.confidence);
  for (const auto& c : e.checks)
    if (const auto it = kChecks.find(c); it != kChecks.end()) out += " · " + it->second;
  return out;
}

std::string reason_label(const std::string& text) {
  static const std::map<std::string, std::string> labels{
      {"tracking_barcode_unreadable", "Không đọc được mã vạch bưu gửi"},
      {"tracking_number_invalid", "Số hiệu bưu gửi sai chữ số kiểm tra"},
      {"tracking_number_missing", "Thiếu số hiệu bưu gửi"},
      {"tracking_number_from_ocr", "Số hiệu bưu gửi chỉ đọc từ chữ, không từ mã vạch"},
      {"sender_incomplete", "Thông tin người gửi chưa đầy đủ"},
      {"sender_address_incomplete", "Địa chỉ người gửi chưa đầy đủ"},
      {"applicant_missing", "Thiếu thông tin người nộp"},
      {"applicant_incomplete", "Thông tin người nộp chưa đầy đủ"},
      {"applicant_id_mismatch", "Số định danh trên tờ khai và căn cước khác nhau"},
      {"applicant_date_of_birth_missing", "Thiếu ngày sinh người nộp"},
      {"applicant_date_of_birth_implausible", "Ngày sinh đọc được không thể đúng (sau ngày nhận hoặc trước 1900)"},
      {"applicant_id_number_disagrees_with_date_of_birth", "Số định danh và ngày sinh không khớp năm sinh"},
      {"applicant_id_number_disagrees_with_sex", "Số định danh và giới tính không khớp"},
      {"applicant_name_unusual", "Họ tên người nộp có âm tiết không phải tiếng Việt (đọc sai dấu?)"},
      {"sender_name_unusual", "Tên người gửi có âm tiết không phải tiếng Việt (đọc sai dấu?)"},
      {"sender_name_disagrees_with_applicant", "Tên người gửi và tên người nộp chỉ khác dấu: xem lại cả hai"},
      {"field_unsure", "Đọc chưa chắc chắn"},
      {"id_card_qr_unreadable", "Không đọc được mã QR căn cước"},
      {"procedure_uncertain", "Chưa chắc chắn về thủ tục"},
      {"procedure_unknown", "Không xác định được thủ tục"},
      {"low_ocr_confidence", "Nhận dạng chữ kém tin cậy"},
      {"missing_document", "Thiếu giấy tờ"},
      {"calendar_missing", "Lịch làm việc chưa có năm này"},
      {"image_truncated", "Ảnh quét bị cắt"},
      {"page_unreadable", "Trang không đọc được"},
      {"barcode_decoder_crashed", "Bộ giải mã vạch gặp lỗi"},
  };
  const ReviewReason r{text};
  const auto it = labels.find(r.code());
  std::string out = it == labels.end() ? r.code() : it->second;
  if (r.code() == "field_unsure") {
    const std::string key = text.substr(text.find(':') + 1);
    for (const auto& f : editable_fields())
      if (f.key == key) return out + ": " + f.label;
  }
  if (const auto p = r.page()) out += fmt::format(" (trang {})", *p);
  else if (const auto colon = text.find(':'); colon != std::string::npos) out += ": " + text.substr(colon + 1);
  return out;
}

std::string page_type_label(const std::string& type) {
  static const std::map<std::string, std::string> labels{{"envelope", "Phong bì"},
                                                         {"separator", "Tờ phân cách"},
                                                         {"application_form", "Tờ khai"},
                                                         {"id_card", "Căn cước"},
                                                         {"supporting_document", "Giấy tờ kèm theo"},
                                                         {"blank", "Trang trắng"}};
  const auto it = labels.find(type);
  return it == labels.end() ? (type.empty() ? "Không xác định" : type) : it->second;
}

std::string state_label(const std::string& s) {
  static const std::map<std::string, std::string> labels{
      {"received", "Đã tiếp nhận"},          {"assigned", "Đã phân công"},  {"in_progress", "Đang giải quyết"},
      {"waiting_supplement", "Chờ bổ sung"}, {"resolved", "Đã giải quyết"}, {"returned", "Đã trả kết quả"}};
  const auto it = labels.find(s);
  return it == labels.end() ? s : it->second;
}

std::string page(const PageFrame& f) {
  std::string nav;
  if (f.session) {
    const Role r = f.session->role;
    auto item = [&](const char* key, const char* href, const char* label, bool allowed) {
      if (!allowed) return;
      nav += fmt::format("<a href=\"{}\"{}>{}</a>", href, f.active == key ? " aria-current=\"page\"" : "", label);
    };
    item("queue", "/queue", "Hàng chờ kiểm tra", may(r, Role::operator_));
    item("batches", "/batches", "Lô quét", may(r, Role::mailroom));
    item("search", "/search", "Tra cứu hồ sơ", true);
    item("users", "/admin/users", "Người dùng", may(r, Role::admin));
    item("config", "/admin/config", "Cấu hình", may(r, Role::admin));
    nav += fmt::format(
        "<span class=\"who\">{} · {}</span><form method=\"post\" action=\"/logout\" class=\"inline\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Đăng xuất</button></form>",
        escape(f.session->user), role_label(r), escape(f.session->csrf));
  }
  return fmt::format(
      "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0} · intake</title><link rel=\"stylesheet\" href=\"/assets/app.css\">"
      "<script src=\"/assets/app.js\" defer></script></head>"
      "<body class=\"{1}\" data-csrf=\"{2}\"><header><strong class=\"brand\">intake</strong><nav>{3}</nav></header>"
      "<main><h1>{0}</h1>{4}</main></body></html>\n",
      escape(f.title), escape(f.page_class), f.session ? escape(f.session->csrf) : "", nav, f.body);
}

}  // namespace intake::web
