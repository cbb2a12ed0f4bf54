#include "stages/assemble.h"

#include <algorithm>
#include <cmath>

#include "pipeline/text.h"
#include "stages/classify.h"

namespace intake {
namespace {

using json = nlohmann::json;

bool is_content(const PageItem& p) { return !p.error && p.type && *p.type != "blank" && *p.type != "separator"; }

std::string type_of(const PageItem& p) { return p.type ? *p.type : ""; }

json page_record(const PageItem& p) {
  json barcodes = json::array();
  for (const auto& b : p.barcodes) barcodes.push_back({{"format", b.format}, {"text", b.text}});
  return {{"number", p.number},
          {"source_file", p.source_file},
          {"source_page", p.source_page},
          {"type", p.type ? json(*p.type) : json()},
          {"rotation", p.rotation},
          {"skew_deg", std::round(p.skew_deg * 100) / 100},
          {"blank", p.blank},
          {"barcodes", barcodes},
          {"unread_barcodes", p.unread_barcodes},
          {"text", p.text},
          {"ocr_confidence", p.ocr_confidence ? json(*p.ocr_confidence) : json()}};
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

void add(json& reasons, const std::string& r) {
  for (const auto& e : reasons)
    if (e == r) return;
  reasons.push_back(r);
}

// A form's later pages carry no title, so the classifier, which sees one page, calls them
// supporting documents. A supporting page with neither an issuer's header nor a document title
// of its own that comes right after a form page (blank backs between) continues that form.
void mark_form_continuations(std::vector<PageItem>& pages) {
  const PageItem* previous = nullptr;  // the last content page of the current dossier
  for (auto& p : pages) {
    const std::string type = type_of(p);
    if (type == "separator") previous = nullptr;
    if (!is_content(p)) continue;
    if (type == "supporting_document" && previous && type_of(*previous) == "application_form" &&
        !has_issuer_header(p.text) && !has_document_title(p.text)) {
      p.type = "application_form";
      p.type_confidence = 0.5;
    }
    previous = &p;
  }
}

}  // namespace

std::vector<json> DossierAssembler::assemble(const std::vector<PageItem>& scanned, const BatchContext& batch) const {
  std::vector<PageItem> pages(scanned);
  mark_form_continuations(pages);
  std::vector<std::vector<const PageItem*>> groups;
  std::vector<const PageItem*> current;
  auto has_content = [](const std::vector<const PageItem*>& g) {
    return std::any_of(g.begin(), g.end(), [](const PageItem* p) { return is_content(*p) || p->error; });
  };
  auto close = [&] {
    if (current.empty()) return;
    if (!has_content(current) && !groups.empty()) {
      // Blank pages with nothing else: they are the backs of the dossier before.
      groups.back().insert(groups.back().end(), current.begin(), current.end());
    } else {
      groups.push_back(current);
    }
    current.clear();
  };
  for (const auto& page : pages) {
    const std::string type = type_of(page);
    if (type == "separator") {
      close();
      continue;
    }
    if (type == "envelope" && has_content(current)) close();
    current.push_back(&page);
  }
  close();

  std::vector<json> out;
  for (const auto& g : groups) out.push_back(record(g, batch));
  return out;
}

json DossierAssembler::record(const std::vector<const PageItem*>& pages, const BatchContext& batch) const {
  json reasons = json::array();
  json page_records = json::array();
  json documents = json::array();
  std::string last_type, last_card_id;
  for (const PageItem* p : pages) {
    page_records.push_back(page_record(*p));
    for (const auto& f : p->flags) add(reasons, f);
    if (p->error) {
      add(reasons, "page_unreadable:page=" + std::to_string(p->number));
      continue;
    }
    if (!is_content(*p)) continue;
    const std::string type = type_of(*p);
    const std::string card_id = p->fields.contains("applicant") && type == "id_card"
                                    ? str(p->fields["applicant"], "id_number") : std::string();
    bool new_document = documents.empty() || type != last_type;
    if (!new_document && (type == "application_form" || type == "supporting_document") && has_national_header(p->text))
      new_document = true;
    if (!new_document && type == "supporting_document" && (has_issuer_header(p->text) || has_document_title(p->text)))
      new_document = true;
    if (!new_document && type == "id_card" && !card_id.empty() && !last_card_id.empty() && card_id != last_card_id)
      new_document = true;
    if (type == "envelope" && !documents.empty() && type == last_type) new_document = true;
    if (new_document) documents.push_back({{"type", type}, {"pages", json::array()}});
    documents.back()["pages"].push_back(p->number);
    last_type = type;
    if (type == "id_card") last_card_id = card_id;
    if (type == "application_form" && (!p->ocr_confidence || *p->ocr_confidence < config_.min_ocr_confidence))
      add(reasons, "low_ocr_confidence:page=" + std::to_string(p->number));
  }

  // Envelope: tracking number and sender.
  json tracking_number = nullptr;
  bool tracking_valid = false;
  json sender{{"name", nullptr}, {"address", nullptr}, {"phone", nullptr}};
  const PageItem* envelope = nullptr;
  for (const PageItem* p : pages)
    if (is_content(*p) && type_of(*p) == "envelope") {
      envelope = p;
      break;
    }
  if (envelope) {
    const json& t = envelope->fields.value("tracking", json::object());
    if (t.contains("number") && t["number"].is_string()) {
      tracking_number = t["number"];
      tracking_valid = t.value("valid", false);
    }
    if (envelope->fields.contains("sender")) sender = envelope->fields["sender"];
    if (sender["name"].is_null() || sender["address"].is_null()) add(reasons, "sender_incomplete");
  }
  if (tracking_number.is_null()) {
    add(reasons, "tracking_number_missing");
    // The label is there but unreadable (torn, smudged, badly scanned): the operator types it.
    if (envelope && envelope->unread_barcodes > 0) add(reasons, "tracking_barcode_unreadable");
  }
  else if (!tracking_valid) add(reasons, "tracking_number_invalid");

  // Applicant: an ID card's QR code beats the form's OCR.
  std::vector<json> cards, forms;
  for (const PageItem* p : pages) {
    if (!is_content(*p) || !p->fields.contains("applicant")) continue;
    (type_of(*p) == "id_card" ? cards : forms).push_back(p->fields["applicant"]);
  }
  json form_applicant{{"full_name", nullptr}, {"id_number", nullptr}, {"date_of_birth", nullptr},
                      {"sex", nullptr},       {"address", nullptr},   {"source", "ocr"}};
  for (const auto& f : forms)
    for (const char* k : {"full_name", "id_number", "date_of_birth", "sex", "address"})
      if (form_applicant[k].is_null() && f.contains(k) && !f[k].is_null()) form_applicant[k] = f[k];
  json applicant{{"full_name", nullptr}, {"id_number", nullptr}, {"date_of_birth", nullptr},
                 {"sex", nullptr},       {"address", nullptr},   {"source", nullptr}};
  if (!cards.empty()) {
    // The applicant's card: the one matching the form's ID number, else the sender's or the
    // form's name, else the first.
    const json* chosen = &cards.front();
    const std::string form_id = str(form_applicant, "id_number");
    const std::string form_name = text::fold(str(form_applicant, "full_name"));
    const std::string sender_name = text::fold(str(sender, "name"));
    bool matched = false;
    for (const auto& c : cards)
      if (!form_id.empty() && str(c, "id_number") == form_id) chosen = &c, matched = true;
    if (!matched)
      for (const auto& c : cards) {
        const std::string n = text::fold(str(c, "full_name"));
        if ((!n.empty() && n == form_name) || (!n.empty() && n == sender_name)) {
          chosen = &c;
          break;
        }
      }
    applicant = *chosen;
    if (!form_id.empty() && form_id != str(applicant, "id_number")) add(reasons, "applicant_id_mismatch");
  } else if (std::any_of(form_applicant.begin(), form_applicant.end(), [](const json& v) { return !v.is_null(); }) &&
             !forms.empty()) {
    applicant = form_applicant;
  }
  if (applicant["full_name"].is_null() && applicant["id_number"].is_null()) add(reasons, "applicant_missing");
  else if (applicant["full_name"].is_null() || applicant["id_number"].is_null()) add(reasons, "applicant_incomplete");

  // Procedure: catalog scores of the form pages, supporting documents counting a little.
  std::map<std::string, double> scores;
  for (const PageItem* p : pages) {
    if (!is_content(*p)) continue;
    const double w = type_of(*p) == "application_form" ? 1.0 : type_of(*p) == "supporting_document" ? 0.3 : 0.0;
    for (const auto& [id, s] : p->procedure_scores) scores[id] += w * s;
  }
  json procedure{{"id", nullptr}, {"code", nullptr}, {"name", nullptr}, {"confidence", nullptr}};
  json department = nullptr;
  double best = 0, total = 0;
  std::string best_id;
  for (const auto& [id, s] : scores) {
    total += s;
    if (s > best) best = s, best_id = id;
  }
  json due_date = nullptr;
  if (best > 0) {
    const double confidence = std::round(best / total * std::min(1.0, best / 8.0) * 100) / 100;
    const Procedure* proc = catalog_.find(best_id);
    if (proc && confidence >= config_.min_procedure_confidence) {
      procedure = {{"id", proc->id},
                   {"code", proc->code ? json(*proc->code) : json()},
                   {"name", proc->name},
                   {"confidence", confidence}};
      department = proc->department;
      // The legal clock: N working days after the effective receipt day.
      if (calendar_) {
        const auto due = calendar_->due_date(batch.received_at, proc->working_days);
        if (const auto* d = std::get_if<Date>(&due)) due_date = format_date(*d);
        else add(reasons, "calendar_missing:" + std::to_string(std::get<CalendarGap>(due).year));
      }
      // A complete dossier has every document type the procedure requires.
      for (const auto& required : proc->required_documents) {
        const bool present = std::any_of(documents.begin(), documents.end(),
                                         [&](const json& d) { return d.value("type", "") == required; });
        if (!present) add(reasons, "missing_document:" + required);
      }
    } else {
      add(reasons, "procedure_uncertain");
    }
  } else {
    add(reasons, "procedure_unknown");
  }

  return {{"schema", "intake.dossier/1"},
          {"dossier_code", nullptr},
          {"batch_id", batch.batch_id},
          {"channel", "postal"},
          {"received_at", batch.received_at},
          {"tracking_number", tracking_number},
          {"tracking_valid", tracking_valid},
          {"sender", sender},
          {"applicant", applicant},
          {"procedure", procedure},
          {"department", department},
          {"due_date", due_date},
          {"documents", documents},
          {"pages", page_records},
          {"review", {{"required", !reasons.empty()}, {"reasons", reasons}}}};
}

}  // namespace intake
