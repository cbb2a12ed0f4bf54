#include "stages/assemble.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "pipeline/text.h"
#include "stages/classify.h"

namespace intake {
namespace {

using json = nlohmann::json;

bool is_content(const PageItem& p) { return !p.error && p.type && *p.type != "blank" && *p.type != "separator"; }

std::string type_of(const PageItem& p) { return p.type ? *p.type : ""; }

PageRecord page_record(const PageItem& p) {
  PageRecord r;
  r.number = p.number;
  r.source_file = p.source_file;
  r.source_page = p.source_page;
  if (p.type) r.type = parse_page_type(*p.type);
  r.rotation = p.rotation;
  r.skew_deg = std::round(p.skew_deg * 100) / 100;
  r.blank = p.blank;
  for (const auto& b : p.barcodes) r.barcodes.push_back({b.format, b.text});
  r.unread_barcodes = p.unread_barcodes;
  r.text = p.text;
  r.ocr_confidence = p.ocr_confidence;
  return r;
}

// A page field's string, or nothing.
std::optional<std::string> opt_str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? std::optional(j[key].get<std::string>())
                                                                : std::nullopt;
}

Sender sender_of(const json& j) { return {opt_str(j, "name"), opt_str(j, "address"), opt_str(j, "phone")}; }

Applicant applicant_of(const json& j) {
  return {opt_str(j, "full_name"), opt_str(j, "id_number"), opt_str(j, "date_of_birth"),
          opt_str(j, "sex"),       opt_str(j, "address"),   opt_str(j, "source")};
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
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
      p.evidence.push_back({"application_form.continues_the_form_before", 0});
    }
    previous = &p;
  }
}

// A page's evidence for one field (the extract stage's), with the page it was read on.
std::optional<FieldEvidence> evidence_on(const PageItem& p, const std::string& key) {
  if (!p.fields.contains("evidence") || !p.fields["evidence"].contains(key)) return std::nullopt;
  try {
    FieldEvidence e = evidence_from_json(p.fields["evidence"][key], "evidence." + key);
    e.page = p.number;
    return e;
  } catch (const RecordError&) {
    return std::nullopt;  // a page from an older worker: no evidence rather than a wrong one
  }
}

// Two readings that agree are as sure as the surer one, no more: two OCR readings of one name in
// the same typeface lose the same tone mark together (held-out standard seed 7001: four sender
// names misread identically on envelope and form), so their errors are not independent.
double together(double a, double b) { return std::max(a, b); }

// The envelope's sender is often the applicant. The same name (accents aside) on the envelope and
// on the form or card is two readings of one name: where they agree each backs the other; where
// only the accents differ, the ID card's QR payload is the name as registered and the envelope's
// reading takes its accents, while a form's reading against the envelope's cannot say which one
// OCR got wrong, and the dossier is flagged (both kept).
void cross_check_names(DossierRecord& r) {
  if (!r.sender.name || !r.applicant.full_name) return;
  const std::string sender = text::nfc(*r.sender.name), applicant = text::nfc(*r.applicant.full_name);
  if (text::fold(sender) != text::fold(applicant)) return;  // someone posting for the applicant
  auto s = r.evidence.find("sender.name");
  auto a = r.evidence.find("applicant.full_name");
  if (s == r.evidence.end() || a == r.evidence.end()) return;
  if (sender == applicant) {
    const double both = together(s->second.confidence, a->second.confidence);
    s->second.confidence = a->second.confidence = both;
    s->second.check("agrees:" + a->second.source);
    a->second.check("agrees:envelope");
  } else if (a->second.source == "id_card_qr") {
    r.sender.name = applicant;
    s->second.confidence = a->second.confidence;
    s->second.check("accents_from:id_card_qr");
  } else {
    r.flag("sender_name_disagrees_with_applicant");
  }
}

// What a clerk checks on the applicant (and the sender's name) before anyone relies on it. A date of birth must be one
// (from 1900, not after the dossier arrived: else it was misread, and is left null); one that is
// missing is asked for. The 12-digit citizen ID encodes the sex and century (its 4th digit: 0/1 a
// man/woman born 1900-1999, 2/3 2000-2099, ...) and the year of birth (5th and 6th) (Decree
// 137/2015/ND-CP, Circular 07/2016/TT-BCA): where it disagrees with the date of birth or the sex
// read elsewhere, one of them is wrong and the reason says which two disagree.
void check_applicant(DossierRecord& r) {
  Applicant& a = r.applicant;
  // A name is made of syllables Vietnamese can write: "Hưỳnh" is OCR's "Huỳnh" (pipeline/text.h).
  if (a.full_name && !text::vietnamese_name(*a.full_name)) r.flag("applicant_name_unusual");
  if (r.sender.name && !text::vietnamese_name(*r.sender.name)) r.flag("sender_name_unusual");
  if (a.date_of_birth) {
    const std::string& d = *a.date_of_birth;
    const std::string arrived = r.received_at.substr(0, std::min<std::size_t>(10, r.received_at.size()));
    if (d.size() != 10 || d < "1900-01-01" || (arrived.size() == 10 && d > arrived)) {
      a.date_of_birth.reset();
      r.flag("applicant_date_of_birth_implausible");
    }
  } else if (a.full_name || a.id_number) {
    r.flag("applicant_date_of_birth_missing");
  }
  const std::string id = a.id_number.value_or("");
  if (id.size() != 12 || id.find_first_not_of("0123456789") != std::string::npos) return;
  const int code = id[3] - '0';
  static const int kCentury[10] = {1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800};
  const int year = kCentury[code] + (id[4] - '0') * 10 + (id[5] - '0');
  auto agrees = [&](const std::string& key, const std::string& with) {
    if (auto e = r.evidence.find(key); e != r.evidence.end()) e->second.check("agrees:" + with);
  };
  if (a.date_of_birth && std::atoi(a.date_of_birth->substr(0, 4).c_str()) != year) {
    r.flag("applicant_id_number_disagrees_with_date_of_birth");
  } else if (a.date_of_birth) {
    agrees("applicant.date_of_birth", "id_number");
    agrees("applicant.id_number", "date_of_birth");
  }
  if (a.sex && *a.sex != (code % 2 == 0 ? "Nam" : "Nữ")) {
    r.flag("applicant_id_number_disagrees_with_sex");
  } else if (a.sex) {
    agrees("applicant.sex", "id_number");
  }
}

}  // namespace

std::vector<DossierRecord> DossierAssembler::assemble(const std::vector<PageItem>& scanned, const BatchContext& batch,
                                                      std::vector<nlohmann::json>* explanations) const {
  std::vector<PageItem> pages(scanned);
  mark_form_continuations(pages);
  // Each dossier's pages, and why it started where it did.
  struct Group {
    std::vector<const PageItem*> pages;
    json boundary;
    std::vector<int> appended;  // pages of a run of blank pages taken as this dossier's backs
  };
  std::vector<Group> groups;
  Group current;
  json next_boundary = {{"reason", "batch_start"}, {"page", pages.empty() ? 0 : pages.front().number}};
  auto has_content = [](const std::vector<const PageItem*>& g) {
    return std::any_of(g.begin(), g.end(), [](const PageItem* p) { return is_content(*p) || p->error; });
  };
  auto close = [&] {
    if (current.pages.empty()) return;
    const bool after_separator = current.boundary.value("reason", "") == "separator";
    if (!has_content(current.pages) && !groups.empty() && !after_separator) {
      // Blank pages with nothing else: they are the backs of the dossier before. Not across a
      // separator sheet, which always closes the dossier before it (docs/record-schema.md).
      auto& before = groups.back();
      before.pages.insert(before.pages.end(), current.pages.begin(), current.pages.end());
      for (const PageItem* p : current.pages) before.appended.push_back(p->number);
    } else {
      groups.push_back(std::move(current));
    }
    current = Group{};
  };
  for (const auto& page : pages) {
    const std::string type = type_of(page);
    if (type == "separator") {
      close();
      next_boundary = {{"reason", "separator"}, {"page", page.number}};
      continue;
    }
    if (type == "envelope" && has_content(current.pages)) {
      close();
      next_boundary = {{"reason", "envelope"}, {"page", page.number}};
    }
    if (current.pages.empty()) current.boundary = next_boundary;
    current.pages.push_back(&page);
  }
  close();

  std::vector<DossierRecord> out;
  for (const auto& g : groups) {
    out.push_back(record(g.pages, batch));
    if (!explanations) continue;
    json explained = json::array();
    for (const PageItem* p : g.pages) {
      json evidence = json::array();
      for (const auto& e : p->evidence) evidence.push_back({{"signal", e.signal}, {"weight", e.weight}});
      explained.push_back({{"number", p->number},
                           {"type", p->type ? json(*p->type) : json()},
                           {"confidence", p->type_confidence},
                           {"evidence", evidence}});
    }
    explanations->push_back({{"schema", "intake.explanation/1"},
                             {"boundary", g.boundary},
                             {"appended_blank_pages", g.appended},
                             {"pages", explained}});
  }
  return out;
}

DossierRecord DossierAssembler::build(std::vector<PageItem> pages, const BatchContext& batch) const {
  std::sort(pages.begin(), pages.end(), [](const PageItem& a, const PageItem& b) { return a.number < b.number; });
  mark_form_continuations(pages);
  std::vector<const PageItem*> group;
  for (const auto& p : pages) group.push_back(&p);
  return record(group, batch);
}

DossierRecord DossierAssembler::record(const std::vector<const PageItem*>& pages, const BatchContext& batch) const {
  DossierRecord r;
  r.batch_id = batch.batch_id;
  r.channel = "postal";
  r.received_at = batch.received_at;
  std::string last_type, last_card_id;
  for (const PageItem* p : pages) {
    r.pages.push_back(page_record(*p));
    for (const auto& f : p->flags) r.flag(f);
    if (p->error) {
      r.flag("page_unreadable:page=" + std::to_string(p->number));
      continue;
    }
    if (!is_content(*p)) continue;
    const std::string type = type_of(*p);
    const std::string card_id = p->fields.contains("applicant") && type == "id_card"
                                    ? str(p->fields["applicant"], "id_number") : std::string();
    bool new_document = r.documents.empty() || type != last_type;
    if (!new_document && (type == "application_form" || type == "supporting_document") && has_national_header(p->text))
      new_document = true;
    if (!new_document && type == "supporting_document" && (has_issuer_header(p->text) || has_document_title(p->text)))
      new_document = true;
    if (!new_document && type == "id_card" && !card_id.empty() && !last_card_id.empty() && card_id != last_card_id)
      new_document = true;
    if (type == "envelope" && !r.documents.empty() && type == last_type) new_document = true;
    if (new_document) r.documents.push_back({type, {}});
    r.documents.back().pages.push_back(p->number);
    last_type = type;
    if (type == "id_card") last_card_id = card_id;
    if (type == "application_form" && (!p->ocr_confidence || *p->ocr_confidence < config_.min_ocr_confidence))
      r.flag("low_ocr_confidence:page=" + std::to_string(p->number));
  }

  // Envelope: tracking number and sender.
  const PageItem* envelope = nullptr;
  for (const PageItem* p : pages)
    if (is_content(*p) && type_of(*p) == "envelope") {
      envelope = p;
      break;
    }
  if (envelope) {
    const json& t = envelope->fields.value("tracking", json::object());
    if (t.contains("number") && t["number"].is_string()) {
      r.tracking_number = t["number"].get<std::string>();
      r.tracking_valid = t.value("valid", false);
    }
    if (envelope->fields.contains("sender")) r.sender = sender_of(envelope->fields["sender"]);
    for (const char* key : {"tracking_number", "sender.name", "sender.address", "sender.phone"})
      if (auto e = evidence_on(*envelope, key)) r.evidence[key] = *e;
    if (!r.sender.name || !r.sender.address) r.flag("sender_incomplete");
  }
  if (!r.tracking_number) {
    r.flag("tracking_number_missing");
    // The label is there but unreadable (torn, smudged, badly scanned): the operator types it.
    if (envelope && envelope->unread_barcodes > 0) r.flag("tracking_barcode_unreadable");
  } else if (!r.tracking_valid) {
    r.flag("tracking_number_invalid");
  }

  // Applicant: an ID card's QR code beats the form's OCR.
  std::vector<Applicant> cards, forms;
  std::vector<const PageItem*> card_pages, form_pages;
  for (const PageItem* p : pages) {
    if (!is_content(*p) || !p->fields.contains("applicant")) continue;
    const bool card = type_of(*p) == "id_card";
    (card ? cards : forms).push_back(applicant_of(p->fields["applicant"]));
    (card ? card_pages : form_pages).push_back(p);
  }
  static const char* const kApplicantFields[] = {"applicant.full_name", "applicant.id_number",
                                                 "applicant.date_of_birth", "applicant.sex", "applicant.address"};
  Applicant form_applicant;
  form_applicant.source = "ocr";
  std::map<std::string, FieldEvidence> form_evidence;
  for (std::size_t i = 0; i < forms.size(); ++i) {
    for (const char* key : kApplicantFields)
      if (!*field(form_applicant, key) && *field(forms[i], key)) {
        *field(form_applicant, key) = *field(forms[i], key);
        if (auto e = evidence_on(*form_pages[i], key)) form_evidence[key] = *e;
      }
  }
  if (!cards.empty()) {
    // The applicant's card: the one matching the form's ID number, else the sender's or the
    // form's name, else the first.
    const Applicant* chosen = &cards.front();
    const std::string form_id = form_applicant.id_number.value_or("");
    const std::string form_name = text::fold(form_applicant.full_name.value_or(""));
    const std::string sender_name = text::fold(r.sender.name.value_or(""));
    bool matched = false;
    for (const auto& c : cards)
      if (!form_id.empty() && c.id_number.value_or("") == form_id) chosen = &c, matched = true;
    if (!matched)
      for (const auto& c : cards) {
        const std::string n = text::fold(c.full_name.value_or(""));
        if ((!n.empty() && n == form_name) || (!n.empty() && n == sender_name)) {
          chosen = &c;
          break;
        }
      }
    r.applicant = *chosen;
    if (!form_id.empty() && form_id != r.applicant.id_number.value_or("")) r.flag("applicant_id_mismatch");
    const PageItem* card_page = card_pages[static_cast<std::size_t>(chosen - cards.data())];
    for (const char* key : kApplicantFields) {
      auto e = evidence_on(*card_page, key);
      const auto& on_card = *field(r.applicant, key);
      if (!e || !on_card) continue;
      // The form says the same: two prints of one value.
      if (const auto& on_form = *field(form_applicant, key); on_form && text::nfc(*on_form) == text::nfc(*on_card))
        e->check("agrees:form");
      r.evidence[key] = *e;
    }
  } else if (!forms.empty()) {
    r.applicant = form_applicant;  // source "ocr", even when the form gave nothing
    for (auto& [key, e] : form_evidence) r.evidence[key] = e;
  }
  if (!r.applicant.full_name && !r.applicant.id_number) r.flag("applicant_missing");
  else if (!r.applicant.full_name || !r.applicant.id_number) r.flag("applicant_incomplete");
  cross_check_names(r);
  check_applicant(r);

  // Procedure: catalog scores of the form pages, supporting documents counting a little.
  std::map<std::string, double> scores;
  for (const PageItem* p : pages) {
    if (!is_content(*p)) continue;
    const double w = type_of(*p) == "application_form" ? 1.0 : type_of(*p) == "supporting_document" ? 0.3 : 0.0;
    for (const auto& [id, s] : p->procedure_scores) scores[id] += w * s;
  }
  double best = 0, total = 0;
  std::string best_id;
  for (const auto& [id, s] : scores) {
    total += s;
    if (s > best) best = s, best_id = id;
  }
  if (best > 0) {
    const double confidence = std::round(best / total * std::min(1.0, best / 8.0) * 100) / 100;
    const Procedure* proc = catalog_.find(best_id);
    if (proc && confidence >= config_.min_procedure_confidence) {
      r.procedure = {proc->id, proc->code, proc->name, confidence};
      r.department = proc->department;
      FieldEvidence e{"classifier", std::nullopt, std::nullopt, {}, confidence, {"catalog_keywords"}};
      for (const PageItem* p : pages)
        if (is_content(*p) && type_of(*p) == "application_form") {
          e.page = p->number;
          break;
        }
      r.evidence["procedure.id"] = e;
      // The legal clock: N working days after the effective receipt day.
      if (calendar_) {
        const auto due = calendar_->due_date(batch.received_at, proc->working_days);
        if (const auto* d = std::get_if<Date>(&due)) r.due_date = format_date(*d);
        else r.flag("calendar_missing:" + std::to_string(std::get<CalendarGap>(due).year));
      }
      // A complete dossier has every document type the procedure requires.
      for (const auto& required : proc->required_documents) {
        const bool present = std::any_of(r.documents.begin(), r.documents.end(),
                                         [&](const DocumentRef& d) { return d.type == required; });
        if (!present) r.flag("missing_document:" + required);
      }
    } else {
      r.flag("procedure_uncertain");
    }
  } else {
    r.flag("procedure_unknown");
  }

  // Evidence only for values there are; a value less sure than its field's threshold is flagged.
  for (auto it = r.evidence.begin(); it != r.evidence.end();) {
    const auto* value = field(r, it->first);
    if (!value || !value->has_value()) {
      it = r.evidence.erase(it);
      continue;
    }
    if (auto t = config_.field_confidence.find(it->first);
        t != config_.field_confidence.end() && it->second.confidence < t->second)
      r.flag("field_unsure:" + it->first);
    ++it;
  }
  return r;
}

}  // namespace intake
