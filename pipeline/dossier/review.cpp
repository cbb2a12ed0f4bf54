#include "pipeline/dossier/review.h"

#include <map>

namespace intake {
namespace {

using json = nlohmann::json;

std::chrono::system_clock::time_point from_s(std::int64_t s) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  if (j.is_object() && prefix != "review") {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
    return;
  }
  out[prefix] = j;
}

}  // namespace

std::vector<FieldChange> changed_fields(const DossierRecord& before, const DossierRecord& after) {
  std::map<std::string, json> a, b;
  flatten(to_json(before), "", a);
  flatten(to_json(after), "", b);
  std::vector<FieldChange> out;
  for (const auto& [k, v] : b) {
    const auto it = a.find(k);
    const json old = it == a.end() ? json() : it->second;
    if (old != v) out.push_back({k, old, v});
  }
  return out;
}

ReviewDesk::ReviewDesk(Store& store, std::chrono::seconds lease) : store_(store), lease_(lease) {}

std::int64_t ReviewDesk::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(store_.env_->wall_now().time_since_epoch()).count();
}

std::vector<QueueItem> ReviewDesk::queue(const ReviewFilter& f, int limit) {
  // Due date first (none last), then received time; the filters in SQL over the stored JSON.
  Statement s(store_.db_,
              "SELECT dossier_code, batch_id, record, version, CASE WHEN lease_until > ?1 THEN lease_user END "
              "FROM dossiers WHERE review_state = 'pending' AND dossier_code IS NOT NULL "
              "AND (?2 = '' OR batch_id = ?2) AND (?3 = '' OR json_extract(record, '$.procedure.id') = ?3) "
              "AND (?4 = '' OR EXISTS (SELECT 1 FROM json_each(record, '$.review.reasons') r "
              "WHERE r.value = ?4 OR r.value LIKE ?4 || ':%')) "
              "ORDER BY json_extract(record, '$.due_date') IS NULL, json_extract(record, '$.due_date'), "
              "json_extract(record, '$.received_at'), id LIMIT ?5");
  s.bind(1, now_s()).bind(2, f.batch).bind(3, f.procedure).bind(4, f.reason).bind(5, int64_t{limit});
  std::vector<QueueItem> out;
  while (s.step()) {
    const DossierRecord r = dossier_from_json(json::parse(s.text(2)));
    QueueItem q;
    q.code = s.text(0);
    q.batch_id = s.text(1);
    q.received_at = r.received_at;
    q.due_date = r.due_date;
    q.procedure = r.procedure.name;
    q.tracking_number = r.tracking_number;
    q.applicant = r.applicant.full_name;
    q.reasons = r.reasons;
    q.version = static_cast<int>(s.integer(3));
    q.lease_user = s.optional_text(4);
    out.push_back(std::move(q));
  }
  return out;
}

std::optional<std::string> ReviewDesk::next(const std::string& user, const ReviewFilter& filter) {
  std::optional<std::string> code;
  store_.db_.transaction([&] {  // one writer at a time: two operators never take the same one
    const auto items = queue(filter);
    for (const auto& q : items)
      if (q.lease_user == user) {
        code = q.code;
        break;
      }
    if (!code)
      for (const auto& q : items)
        if (!q.lease_user) {
          code = q.code;
          break;
        }
    if (!code) return;
    Statement(store_.db_, "UPDATE dossiers SET lease_user = ?, lease_until = ? WHERE dossier_code = ?")
        .bind(1, user)
        .bind(2, now_s() + lease_.count())
        .bind(3, *code)
        .run();
  });
  return code;
}

std::optional<ReviewedDossier> ReviewDesk::open(const std::string& code) {
  Statement s(store_.db_,
              "SELECT batch_id, state, review_state, review_note, version, record, original, explanation, "
              "CASE WHEN lease_until > ? THEN lease_user END, COALESCE(lease_until, 0) FROM dossiers "
              "WHERE dossier_code = ?");
  s.bind(1, now_s()).bind(2, code);
  if (!s.step()) return std::nullopt;
  ReviewedDossier d;
  d.code = code;
  d.batch_id = s.text(0);
  d.state = s.text(1);
  d.review_state = s.text(2);
  d.review_note = s.optional_text(3);
  d.version = static_cast<int>(s.integer(4));
  d.record = dossier_from_json(json::parse(s.text(5)));
  if (const auto o = s.optional_text(6)) d.original = dossier_from_json(json::parse(*o));
  if (const auto e = s.optional_text(7)) d.explanation = json::parse(*e, nullptr, false);
  if (d.explanation.is_discarded()) d.explanation = nullptr;
  d.lease_user = s.optional_text(8);
  d.lease_until = from_s(s.integer(9));
  s.reset();
  return d;
}

Result<ReviewedDossier> ReviewDesk::lease(const std::string& code, const std::string& user) {
  std::optional<Error> refused;
  store_.db_.transaction([&] {
    const auto d = open(code);
    if (!d) {
      refused = Error{"no dossier " + code};
      return;
    }
    if (d->lease_user && *d->lease_user != user) {
      refused = Error{"dossier " + code + " is being reviewed by " + *d->lease_user};
      return;
    }
    Statement(store_.db_, "UPDATE dossiers SET lease_user = ?, lease_until = ? WHERE dossier_code = ?")
        .bind(1, user)
        .bind(2, now_s() + lease_.count())
        .bind(3, code)
        .run();
  });
  if (refused) return *refused;
  return *open(code);
}

void ReviewDesk::release(const std::string& code, const std::string& user) {
  Statement(store_.db_,
            "UPDATE dossiers SET lease_user = NULL, lease_until = NULL WHERE dossier_code = ? AND lease_user = ?")
      .bind(1, code)
      .bind(2, user)
      .run();
}

Result<ReviewedDossier> ReviewDesk::held(const std::string& code, const std::string& user, int version) {
  const auto d = open(code);
  if (!d) return Error{"no dossier " + code};
  if (d->version != version)
    return Error{"dossier " + code + " was changed by someone else since you opened it (your version " +
                 std::to_string(version) + ", now " + std::to_string(d->version) + "): open it again"};
  if (d->lease_user != user)
    return Error{d->lease_user ? "dossier " + code + " is being reviewed by " + *d->lease_user
                               : "your hold on dossier " + code + " ran out: open it again"};
  return *d;
}

void ReviewDesk::write(const ReviewedDossier& before, const DossierRecord& after, const std::string& review_state,
                       const std::optional<std::string>& note, const std::string& user, const std::string& action,
                       const std::string& address, bool keep_lease) {
  const std::string object = "dossier:" + before.code;
  Statement(store_.db_,
            "UPDATE dossiers SET record = ?, tracking_number = ?, version = version + 1, review_state = ?, "
            "review_note = ?, original = COALESCE(original, ?), lease_user = CASE WHEN ? THEN lease_user END, "
            "lease_until = CASE WHEN ? THEN lease_until END WHERE dossier_code = ?")
      .bind(1, to_json(after).dump())
      .bind(2, after.tracking_number)
      .bind(3, review_state)
      .bind(4, note)
      .bind(5, to_json(before.record).dump())
      .bind(6, int64_t{keep_lease})
      .bind(7, int64_t{keep_lease})
      .bind(8, before.code)
      .run();
  for (const auto& c : changed_fields(before.record, after))
    store_.append_audit({0, "", user, "set_field", object, c.field + "=" + c.old_value.dump(),
                         c.field + "=" + c.new_value.dump(), address});
  if (action != "save")
    store_.append_audit(
        {0, "", user, action, object, before.review_state, review_state + (note ? ": " + *note : ""), address});
}

Result<int> ReviewDesk::save(const std::string& code, const std::string& user, int version,
                             const DossierRecord& corrected, const std::string& address) {
  std::optional<Error> refused;
  int now_version = 0;
  store_.db_.transaction([&] {
    auto d = held(code, user, version);
    if (const auto* e = error_of(d)) {
      refused = *e;
      return;
    }
    const auto& before = std::get<ReviewedDossier>(d);
    if (corrected.dossier_code != before.record.dossier_code || corrected.batch_id != before.record.batch_id) {
      refused = Error{"a correction cannot change the dossier code or the batch"};
      return;
    }
    if (changed_fields(before.record, corrected).empty()) {
      now_version = version;
      return;
    }
    write(before, corrected, before.review_state == "none" ? "pending" : before.review_state, before.review_note, user,
          "save", address, true);
    now_version = version + 1;
  });
  if (refused) return *refused;
  return now_version;
}

Result<int> ReviewDesk::confirm(const std::string& code, const std::string& user, int version,
                                const std::string& address) {
  std::optional<Error> refused;
  store_.db_.transaction([&] {
    auto d = held(code, user, version);
    if (const auto* e = error_of(d)) {
      refused = *e;
      return;
    }
    const auto& before = std::get<ReviewedDossier>(d);
    DossierRecord after = before.record;
    after.reasons.clear();
    write(before, after, "confirmed", std::nullopt, user, "confirm", address, false);
  });
  if (refused) return *refused;
  return version + 1;
}

Result<int> ReviewDesk::reject(const std::string& code, const std::string& user, int version, const std::string& reason,
                               const std::string& address) {
  if (reason.empty()) return Error{"a rejection needs a reason"};
  std::optional<Error> refused;
  store_.db_.transaction([&] {
    auto d = held(code, user, version);
    if (const auto* e = error_of(d)) {
      refused = *e;
      return;
    }
    const auto& before = std::get<ReviewedDossier>(d);
    write(before, before.record, "rejected", reason, user, "reject", address, false);
  });
  if (refused) return *refused;
  return version + 1;
}

}  // namespace intake
