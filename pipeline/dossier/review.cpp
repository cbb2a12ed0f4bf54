#include "pipeline/dossier/review.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

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

void ReviewDesk::hold(const std::string& code, const std::string& user) {
  Statement(store_.db_, "UPDATE dossiers SET lease_user = ?, lease_until = ? WHERE dossier_code = ?")
      .bind(1, user)
      .bind(2, now_s() + lease_.count())
      .bind(3, code)
      .run();
}

std::int64_t ReviewDesk::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(store_.env_->wall_now().time_since_epoch()).count();
}

namespace {
// The queue's filters (?2 batch, ?3 procedure, ?4 reason code) and order (due date, none last,
// then received time), over the stored JSON; ?1 is now, for the leases.
constexpr const char* kQueueWhere =
    "FROM dossiers WHERE review_state = 'pending' AND dossier_code IS NOT NULL "
    "AND (?2 = '' OR batch_id = ?2) AND (?3 = '' OR json_extract(record, '$.procedure.id') = ?3) "
    "AND (?4 = '' OR EXISTS (SELECT 1 FROM json_each(record, '$.review.reasons') r "
    "WHERE r.value = ?4 OR r.value LIKE ?4 || ':%')) ";
constexpr const char* kQueueOrder =
    "json_extract(record, '$.due_date') IS NULL, json_extract(record, '$.due_date'), "
    "json_extract(record, '$.received_at'), id";

std::optional<std::string> text_or_null(const Statement& s, int column) { return s.optional_text(column); }
}  // namespace

std::vector<QueueItem> ReviewDesk::queue(const ReviewFilter& f, int limit) {
  // Only what the list shows is read out of each record (not its pages' text).
  Statement s(store_.db_,
              std::string("SELECT dossier_code, batch_id, version, CASE WHEN lease_until > ?1 THEN lease_user END, "
                          "json_extract(record, '$.received_at'), json_extract(record, '$.due_date'), "
                          "json_extract(record, '$.procedure.name'), json_extract(record, '$.tracking_number'), "
                          "json_extract(record, '$.applicant.full_name'), json_extract(record, '$.review.reasons') ") +
                  kQueueWhere + "ORDER BY " + kQueueOrder + " LIMIT ?5");
  s.bind(1, now_s()).bind(2, f.batch).bind(3, f.procedure).bind(4, f.reason).bind(5, int64_t{limit});
  std::vector<QueueItem> out;
  while (s.step()) {
    QueueItem q;
    q.code = s.text(0);
    q.batch_id = s.text(1);
    q.version = static_cast<int>(s.integer(2));
    q.lease_user = s.optional_text(3);
    q.received_at = s.optional_text(4).value_or("");
    q.due_date = text_or_null(s, 5);
    q.procedure = text_or_null(s, 6);
    q.tracking_number = text_or_null(s, 7);
    q.applicant = text_or_null(s, 8);
    const json reasons = json::parse(s.optional_text(9).value_or("[]"), nullptr, false);
    if (reasons.is_array())
      for (const auto& r : reasons)
        if (r.is_string()) q.reasons.push_back({r.get<std::string>()});
    out.push_back(std::move(q));
  }
  return out;
}

std::optional<std::string> ReviewDesk::next(const std::string& user, const ReviewFilter& filter) {
  std::optional<std::string> code;
  store_.db_.transaction([&] {  // one writer at a time: two operators never take the same one
    // One the user holds already comes first; then the first that no one holds.
    Statement s(store_.db_, std::string("SELECT dossier_code ") + kQueueWhere +
                                "AND (lease_until IS NULL OR lease_until <= ?1 OR lease_user = ?5) ORDER BY "
                                "(lease_user = ?5 AND lease_until > ?1) DESC, " +
                                kQueueOrder + " LIMIT 1");
    s.bind(1, now_s()).bind(2, filter.batch).bind(3, filter.procedure).bind(4, filter.reason).bind(5, user);
    if (s.step()) code = s.text(0);
    s.reset();
    if (!code) return;
    hold(*code, user);
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

namespace {

// The refusals an operator meets most, worded once.
Error no_dossier(const std::string& code) { return Error{"không có hồ sơ " + code}; }
Error held_by(const std::string& code, const std::string& user) {
  return Error{"hồ sơ " + code + " đang được " + user + " xem xét"};
}
Error changed_since(const std::string& code, int yours, int now) {
  return Error{"hồ sơ " + code + " đã được người khác sửa sau khi bạn mở (bản của bạn: " + std::to_string(yours) +
               ", hiện tại: " + std::to_string(now) + "): hãy mở lại"};
}

}  // namespace

Result<ReviewedDossier> ReviewDesk::lease(const std::string& code, const std::string& user) {
  std::optional<Error> refused;
  store_.db_.transaction([&] {
    const auto d = open(code);
    if (!d) {
      refused = no_dossier(code);
      return;
    }
    if (d->lease_user && *d->lease_user != user) {
      refused = held_by(code, *d->lease_user);
      return;
    }
    hold(code, user);
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
  if (!d) return no_dossier(code);
  if (d->version != version) return changed_since(code, version, d->version);
  if (d->lease_user != user)
    return d->lease_user ? held_by(code, *d->lease_user)
                         : Error{"bạn đã hết thời gian giữ hồ sơ " + code + ": hãy mở lại"};
  return *d;
}

void ReviewDesk::write(const ReviewedDossier& before, const DossierRecord& after, const std::string& review_state,
                       const std::optional<std::string>& note, const std::string& user, const std::string& action,
                       const std::string& address, bool keep_lease) {
  const std::string object = "dossier:" + before.code;
  Statement(store_.db_,
            "UPDATE dossiers SET record = ?, tracking_number = ?, version = version + 1, review_state = ?, "
            "review_note = ?, original = COALESCE(original, ?), lease_user = CASE WHEN ? THEN lease_user END, "
            "lease_until = CASE WHEN ? THEN ? END WHERE dossier_code = ?")
      .bind(1, to_json(after).dump())
      .bind(2, after.tracking_number)
      .bind(3, review_state)
      .bind(4, note)
      .bind(5, to_json(before.record).dump())
      .bind(6, int64_t{keep_lease})
      .bind(7, int64_t{keep_lease})
      .bind(8, now_s() + lease_.count())  // a save renews the hold
      .bind(9, before.code)
      .run();
  for (const auto& c : changed_fields(before.record, after))
    store_.append_audit({0, "", user, "set_field", object, c.field + "=" + c.old_value.dump(),
                         c.field + "=" + c.new_value.dump(), address});
  if (action != "save")
    store_.append_audit(
        {0, "", user, action, object, before.review_state, review_state + (note ? ": " + *note : ""), address});
}

Result<int> ReviewDesk::change_held(const std::string& code, const std::string& user, int version,
                                    const std::function<std::optional<Error>(const ReviewedDossier&, int&)>& change) {
  std::optional<Error> refused;
  int now_version = version;
  store_.db_.transaction([&] {
    auto d = held(code, user, version);
    if (const auto* e = error_of(d)) refused = *e;
    else refused = change(std::get<ReviewedDossier>(d), now_version);
  });
  if (refused) return *refused;
  return now_version;
}

Result<int> ReviewDesk::save(const std::string& code, const std::string& user, int version,
                             const DossierRecord& corrected, const std::string& address) {
  return change_held(code, user, version, [&](const ReviewedDossier& before, int& now) -> std::optional<Error> {
    if (corrected.dossier_code != before.record.dossier_code || corrected.batch_id != before.record.batch_id)
      return Error{"không thể sửa mã hồ sơ hay lô của hồ sơ"};
    if (changed_fields(before.record, corrected).empty()) return std::nullopt;
    write(before, corrected, before.review_state == "none" ? "pending" : before.review_state, before.review_note, user,
          "save", address, true);
    ++now;
    return std::nullopt;
  });
}

Result<int> ReviewDesk::confirm(const std::string& code, const std::string& user, int version,
                                const std::string& address) {
  return change_held(code, user, version, [&](const ReviewedDossier& before, int& now) -> std::optional<Error> {
    DossierRecord after = before.record;
    after.reasons.clear();
    write(before, after, "confirmed", std::nullopt, user, "confirm", address, false);
    ++now;
    return std::nullopt;
  });
}

Result<int> ReviewDesk::reject(const std::string& code, const std::string& user, int version, const std::string& reason,
                               const std::string& address) {
  if (reason.empty()) return Error{"từ chối cần có lý do"};
  return change_held(code, user, version, [&](const ReviewedDossier& before, int& now) -> std::optional<Error> {
    write(before, before.record, "rejected", reason, user, "reject", address, false);
    ++now;
    return std::nullopt;
  });
}

Result<int> ReviewDesk::reopen(const std::string& code, const std::string& user, const std::string& address) {
  std::optional<Error> refused;
  int version = 0;
  store_.db_.transaction([&] {
    const auto d = open(code);
    if (!d) refused = no_dossier(code);
    else if (d->review_state == "merged") refused = Error{"hồ sơ " + code + " đã được gộp vào hồ sơ khác"};
    else if (d->lease_user && *d->lease_user != user) refused = held_by(code, *d->lease_user);
    if (refused) return;
    Statement(store_.db_,
              "UPDATE dossiers SET review_state = 'pending', version = version + 1, lease_user = ?, lease_until = ? "
              "WHERE dossier_code = ?")
        .bind(1, user)
        .bind(2, now_s() + lease_.count())
        .bind(3, code)
        .run();
    store_.append_audit({0, "", user, "reopen", "dossier:" + code, d->review_state, "pending", address});
    version = d->version + 1;
  });
  if (refused) return *refused;
  return version;
}

Result<std::vector<std::string>> ReviewDesk::regroup(const std::string& user, const std::vector<Seen>& before,
                                                     std::vector<DossierRecord> after, const std::string& agency,
                                                     const std::string& action, const std::string& address) {
  std::optional<Error> refused;
  std::vector<std::string> codes;
  auto pages_of = [](const DossierRecord& r) {
    std::vector<int> out;
    for (const auto& p : r.pages) out.push_back(p.number);
    return out;
  };
  auto list = [](const std::vector<int>& pages) {
    std::string out;
    for (int n : pages) out += (out.empty() ? "" : ",") + std::to_string(n);
    return out;
  };
  store_.db_.transaction([&] {
    std::vector<ReviewedDossier> old;
    for (const auto& seen : before) {
      const auto d = open(seen.code);
      if (!d) {
        refused = no_dossier(seen.code);
        return;
      }
      if (d->version != seen.version) {
        refused = changed_since(seen.code, seen.version, d->version);
        return;
      }
      if (d->lease_user && *d->lease_user != user) {
        refused = held_by(seen.code, *d->lease_user);
        return;
      }
      if (d->review_state != "pending") {
        refused = Error{"hồ sơ " + seen.code + " không ở bước xem xét (trạng thái " + d->review_state +
                        "): hãy mở lại trước"};
        return;
      }
      if (!old.empty() && d->batch_id != old.front().batch_id) {
        refused = Error{"không thể chia lại các hồ sơ thuộc những lô khác nhau"};
        return;
      }
      old.push_back(*d);
    }
    if (old.empty() || after.empty()) {
      refused = Error{"không có gì để chia lại"};
      return;
    }
    if (std::none_of(old.begin(), old.end(), [&](const ReviewedDossier& d) { return d.lease_user == user; })) {
      refused = Error{"hãy mở hồ sơ để xem xét trước khi chia lại"};
      return;
    }
    // Not a page lost, not a page doubled.
    std::multiset<int> had, has;
    for (const auto& d : old)
      for (int n : pages_of(d.record)) had.insert(n);
    for (auto& r : after) {
      std::sort(r.pages.begin(), r.pages.end(),
                [](const PageRecord& a, const PageRecord& b) { return a.number < b.number; });
      if (r.pages.empty()) {
        refused = Error{"một hồ sơ cần ít nhất một trang"};
        return;
      }
      for (int n : pages_of(r)) has.insert(n);
    }
    if (had != has) {
      refused = Error{"cách chia mới không gồm đúng các trang của những hồ sơ nó thay thế"};
      return;
    }
    const std::string batch = old.front().batch_id;
    std::map<int, const ReviewedDossier*> by_first;
    for (const auto& d : old) by_first[d.record.pages.empty() ? 0 : d.record.pages.front().number] = &d;
    std::set<std::string> kept;
    std::vector<DossierRecord> fresh;
    std::vector<int64_t> fresh_keys;
    std::vector<std::size_t> fresh_at;  // where each fresh one is in `after`
    for (auto& r : after) {
      r.batch_id = batch;
      const int first = r.pages.front().number;
      if (const auto it = by_first.find(first); it != by_first.end()) {
        const ReviewedDossier& d = *it->second;
        r.dossier_code = d.record.dossier_code;
        r.received_at = d.record.received_at;
        write(d, r, "pending", std::nullopt, user, action, address, true);  // audited field by field
        hold(d.code, user);
        kept.insert(d.code);
      } else {
        r.received_at = old.front().record.received_at;
        // A dossier merged away before may start on this page: it comes back, with its code.
        Statement at(store_.db_,
                     "SELECT dossier_code, review_state FROM dossiers WHERE batch_id = ? AND first_page = ?");
        at.bind(1, batch).bind(2, int64_t{first});
        if (at.step()) {
          const std::string code = at.optional_text(0).value_or(""), state = at.text(1);
          at.reset();
          if (state != "merged") {
            refused = Error{"trang " + std::to_string(first) + " đã là trang đầu của hồ sơ " + code};
            return;
          }
          r.dossier_code = code;
          write(*open(code), r, "pending", std::nullopt, user, action, address, true);  // audited field by field
          hold(code, user);
          kept.insert(code);
          continue;
        }
        at.reset();
        r.dossier_code.reset();
        fresh.push_back(r);
        fresh_keys.push_back(first);
        fresh_at.push_back(static_cast<std::size_t>(&r - after.data()));
      }
    }
    store_.write_records(batch, fresh, fresh_keys, agency, user, action + " by " + user);
    for (std::size_t k = 0; k < fresh.size(); ++k) after[fresh_at[k]].dossier_code = fresh[k].dossier_code;
    for (const auto& r : fresh) {
      Statement(store_.db_,
                "UPDATE dossiers SET review_state = 'pending', lease_user = ?, lease_until = ? WHERE batch_id = ? AND "
                "first_page = ?")
          .bind(1, user)
          .bind(2, now_s() + lease_.count())
          .bind(3, batch)
          .bind(4, int64_t{r.pages.front().number})
          .run();
      store_.append_audit({0, "", user, action, "dossier:" + r.dossier_code.value_or("?"), std::nullopt,
                           "pages=" + list(pages_of(r)), address});
    }
    // A dossier whose pages all went elsewhere: merged, its code kept out of use.
    for (const auto& d : old) {
      if (kept.count(d.code)) continue;
      DossierRecord emptied = d.record;
      emptied.pages.clear();
      emptied.documents.clear();
      const auto first = d.record.pages.empty() ? 0 : d.record.pages.front().number;
      std::string into;
      for (const auto& r : after)
        for (const auto& p : r.pages)
          if (p.number == first) into = r.dossier_code.value_or("");
      write(d, emptied, "merged", "gộp vào " + into, user, action, address, false);
    }
    // Every page of the dossiers it replaced is in one stored dossier now.
    {
      std::set<int> stored;
      for (const auto& d : store_.dossiers(batch))
        for (const auto& p : d.pages) stored.insert(p.number);
      for (int n : had)
        if (!stored.count(n)) throw StoreError("page " + std::to_string(n) + " of batch " + batch + " would be lost");
    }
    // The batch as a whole: no page in two dossiers.
    Statement s(store_.db_,
                "SELECT json_extract(p.value, '$.number') AS n, COUNT(*) FROM dossiers d, "
                "json_each(d.record, '$.pages') p WHERE d.batch_id = ? GROUP BY n HAVING COUNT(*) > 1 LIMIT 1");
    s.bind(1, batch);
    if (s.step()) throw StoreError("a page of batch " + batch + " would be in two dossiers");
    s.reset();
    for (const auto& r : after) codes.push_back(r.dossier_code.value_or(""));
  });
  if (refused) return *refused;
  return codes;
}

}  // namespace intake
