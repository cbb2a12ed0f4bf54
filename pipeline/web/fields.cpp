#include "pipeline/web/fields.h"

#include <algorithm>
#include <regex>

#include "pipeline/text.h"
#include "stages/s10.h"

namespace intake::web {
namespace {

const FieldDef* def_of(const std::string& key) {
  for (const auto& f : editable_fields())
    if (f.key == key) return &f;
  return nullptr;
}

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const std::vector<FieldDef>& editable_fields() {
  static const std::vector<FieldDef> fields{
      {"tracking_number", "Số hiệu bưu gửi", "s10"},
      {"sender.name", "Người gửi", "text"},
      {"sender.address", "Địa chỉ người gửi", "address"},
      {"sender.phone", "Điện thoại người gửi", "phone"},
      {"applicant.id_number", "Số định danh cá nhân", "citizen_id"},
      {"applicant.full_name", "Họ và tên người nộp", "text"},
      {"applicant.date_of_birth", "Ngày sinh", "date"},
      {"applicant.sex", "Giới tính", "sex"},
      {"applicant.address", "Nơi cư trú", "address"},
      {"procedure.id", "Thủ tục", "procedure"},
  };
  return fields;
}

std::optional<std::string> value_of(const DossierRecord& r, const std::string& key) {
  const auto* s = field(r, key);
  return s ? *s : std::nullopt;
}

std::optional<std::string> check_field(const std::string& key, const std::string& value, const FieldRules& rules) {
  const FieldDef* f = def_of(key);
  if (!f) return "không có trường này";
  if (value.size() > 1000) return "quá dài";
  if (f->rule == "s10" && !s10::valid(value))
    return "số hiệu bưu gửi không hợp lệ: 2 chữ cái, 9 chữ số (chữ số cuối là chữ số kiểm tra), 2 chữ cái, "
           "ví dụ EE123456785VN";
  if (f->rule == "citizen_id" && (value.size() != 12 || !all_digits(value)))
    return "số định danh cá nhân gồm đúng 12 chữ số";
  if (f->rule == "date") {
    const auto d = parse_date(value);
    if (!d || format_date(*d) != value) return "ngày theo dạng YYYY-MM-DD, ví dụ 1990-03-15";
  }
  if (f->rule == "phone" && (value.size() < 10 || value.size() > 11 || value[0] != '0' || !all_digits(value)))
    return "số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0";
  if (f->rule == "sex" && value != "Nam" && value != "Nữ") return "giới tính là Nam hoặc Nữ";
  if (f->rule == "address" && rules.provinces && !rules.provinces->ends_address(value))
    return "địa chỉ phải kết thúc bằng tên tỉnh, thành phố (ví dụ: …, tỉnh Long An)";
  if (f->rule == "procedure" && rules.catalog && !rules.catalog->find(value)) return "thủ tục không có trong danh mục";
  if (f->rule == "text" && text::squeeze(value).empty()) return "không được để trống (xóa giá trị nếu không biết)";
  return std::nullopt;
}

std::vector<std::string> fields_of_reason(const ReviewReason& reason) {
  const std::string code = reason.code();
  if (code.rfind("tracking_", 0) == 0) return {"tracking_number"};
  if (code == "sender_incomplete") return {"sender.name", "sender.address"};
  if (code == "sender_address_incomplete") return {"sender.address"};
  if (code == "applicant_missing" || code == "applicant_incomplete" || code == "id_card_qr_unreadable")
    return {"applicant.full_name", "applicant.id_number"};
  if (code == "applicant_id_mismatch") return {"applicant.id_number"};
  if (code == "applicant_date_of_birth_missing" || code == "applicant_date_of_birth_implausible")
    return {"applicant.date_of_birth"};
  if (code == "applicant_id_number_disagrees_with_date_of_birth")
    return {"applicant.id_number", "applicant.date_of_birth"};
  if (code == "applicant_id_number_disagrees_with_sex") return {"applicant.id_number", "applicant.sex"};
  if (code == "applicant_name_unusual") return {"applicant.full_name"};
  if (code == "sender_name_unusual") return {"sender.name"};
  if (code == "sender_name_disagrees_with_applicant") return {"sender.name", "applicant.full_name"};
  if (code == "field_unsure") return {reason.text.substr(reason.text.find(':') + 1)};
  if (code == "procedure_uncertain" || code == "procedure_unknown") return {"procedure.id"};
  return {};
}

FieldErrors broken_fields(const DossierRecord& record, const FieldRules& rules) {
  FieldErrors out;
  for (const auto& f : editable_fields())
    if (const auto v = value_of(record, f.key))
      if (const auto why = check_field(f.key, *v, rules)) out[f.key] = *why;
  return out;
}

std::variant<DossierRecord, FieldErrors> apply_corrections(
    const DossierRecord& record, const std::map<std::string, std::optional<std::string>>& changes,
    const FieldRules& rules) {
  FieldErrors errors;
  DossierRecord r = record;
  std::vector<std::string> touched;
  for (const auto& [key, value] : changes) {
    auto* target = field(r, key);
    if (!target) {
      errors[key] = "không có trường này";
      continue;
    }
    std::optional<std::string> v = value ? std::optional(text::nfc(*value)) : std::nullopt;
    if (v && v->empty()) v.reset();
    if (v && key == "tracking_number") {  // typed as printed: "ee 123 456 785 vn"
      std::string compact;
      for (char c : *v)
        if (c != ' ' && c != '-') compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      v = compact;
    }
    if (v) {
      if (const auto why = check_field(key, *v, rules)) {
        errors[key] = *why;
        continue;
      }
    }
    if (*target != v) {
      touched.push_back(key);
      // What the operator typed is the value's evidence now (the words OCR read are not).
      if (v) r.evidence[key] = FieldEvidence{"operator", std::nullopt, std::nullopt, {}, 1.0, {}};
      else r.evidence.erase(key);
    }
    *target = v;
  }
  if (!errors.empty()) return errors;
  auto changed = [&](const std::string& key) {
    return std::find(touched.begin(), touched.end(), key) != touched.end();
  };

  if (changed("tracking_number")) r.tracking_valid = r.tracking_number && s10::valid(*r.tracking_number);
  if (changed("procedure.id")) {
    const Procedure* p = r.procedure.id && rules.catalog ? rules.catalog->find(*r.procedure.id) : nullptr;
    r.procedure.code = p ? p->code : std::nullopt;
    r.procedure.name = p ? std::optional(p->name) : std::nullopt;
    r.procedure.confidence = std::nullopt;  // chosen by a person, not scored
    r.department = p ? std::optional(p->department) : std::nullopt;
    // The legal clock follows the procedure: its working days from the received day.
    r.due_date.reset();
    std::erase_if(r.reasons, [](const ReviewReason& x) { return x.code() == "calendar_missing"; });
    if (p && rules.calendar) {
      const auto due = rules.calendar->due_date(r.received_at, p->working_days);
      if (const auto* d = std::get_if<Date>(&due)) r.due_date = format_date(*d);
      else r.flag("calendar_missing:" + std::to_string(std::get<CalendarGap>(due).year));
    }
    // Documents the new procedure needs that the dossier lacks.
    std::erase_if(r.reasons, [](const ReviewReason& x) { return x.code() == "missing_document"; });
    if (p)
      for (const auto& required : p->required_documents)
        if (std::none_of(r.documents.begin(), r.documents.end(),
                         [&](const DocumentRef& d) { return d.type == required; }))
          r.flag("missing_document:" + required);
  }
  // A reason is answered once every field it is about was corrected and now has a value.
  std::erase_if(r.reasons, [&](const ReviewReason& reason) {
    const auto fields = fields_of_reason(reason);
    if (fields.empty()) return false;
    return std::all_of(fields.begin(), fields.end(),
                       [&](const std::string& f) { return value_of(r, f).has_value(); }) &&
           std::any_of(fields.begin(), fields.end(), changed);
  });
  return r;
}

}  // namespace intake::web
