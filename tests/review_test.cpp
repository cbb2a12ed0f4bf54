// The verification queue: order, leases, versions, corrections kept, on a real store.
#include "pipeline/dossier/review.h"

#include <set>

#include <gtest/gtest.h>

#include "tests/support/dossier_support.h"

namespace intake {
namespace {

using testing::Clock;

std::filesystem::path fresh_db(const std::string& name) { return testing::fresh_db("intake-review-test", name); }

DossierRecord flagged(int first_page, const std::string& due, const std::string& received,
                      const std::string& reason = "tracking_barcode_unreadable") {
  DossierRecord r;
  r.batch_id = "b1";
  r.received_at = received;
  r.due_date = due;
  r.procedure.id = "birth_registration";
  r.pages.push_back({.number = first_page});
  if (!reason.empty()) r.flag(reason);
  return r;
}

// Four dossiers: three to review, one clean.
std::vector<std::string> commit_four(Store& store) {
  store.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00",
                   {{1, "a", 1, "1"}, {2, "b", 1, "2"}, {3, "c", 1, "3"}, {4, "d", 1, "4"}});
  store.commit_dossiers("b1",
                        {flagged(1, "2026-12-08", "2026-11-27T09:30:00+07:00"),
                         flagged(2, "2026-12-03", "2026-11-27T10:00:00+07:00", "applicant_missing"),
                         flagged(3, "2026-12-08", "2026-11-27T08:00:00+07:00", "low_ocr_confidence:page=3"),
                         flagged(4, "2026-12-01", "2026-11-27T08:00:00+07:00", "")},
                        "H38");
  std::vector<std::string> codes;
  for (const auto& d : store.dossiers("b1")) codes.push_back(*d.dossier_code);
  return codes;
}

}  // namespace

TEST(Review, TheQueueHoldsWhatNeedsReviewByDueDateThenReceivedTimeAndFilters) {
  Store store(fresh_db("queue.db"));
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  std::vector<std::string> order;
  for (const auto& q : desk.queue()) order.push_back(q.code);
  EXPECT_EQ(order, (std::vector<std::string>{codes[1], codes[2], codes[0]}));
  EXPECT_EQ(desk.queue({"low_ocr_confidence"}).size(), 1u);
  EXPECT_EQ(desk.queue({"applicant_missing"}).at(0).code, codes[1]);
  EXPECT_TRUE(desk.queue({"", "another-batch"}).empty());
  EXPECT_EQ(desk.queue({"", "", "birth_registration"}).size(), 3u);
}

TEST(Review, TwoOperatorsNeverHoldTheSameDossierAndALapsedHoldReturnsIt) {
  Clock clock;
  Store store(fresh_db("lease.db"), clock);
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  const auto lan = desk.next("lan"), minh = desk.next("minh");
  ASSERT_TRUE(lan && minh);
  EXPECT_NE(*lan, *minh);
  EXPECT_EQ(desk.next("lan"), lan);  // asking again gives back the one held
  EXPECT_EQ(std::get<Error>(desk.lease(*lan, "minh")).reason, "hồ sơ " + *lan + " đang được lan xem xét");
  clock.t += std::chrono::minutes(16);  // lan went to lunch
  EXPECT_FALSE(error_of(desk.lease(*lan, "minh")));
  EXPECT_TRUE(error_of(desk.save(*lan, "lan", 1, desk.open(*lan)->record, "")));
}

TEST(Review, AStaleSaveIsRefusedACorrectionIsAuditedFieldByFieldAndConfirmingEmptiesTheQueue) {
  Store store(fresh_db("save.db"));
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  const std::string code = codes[0];
  ASSERT_FALSE(error_of(desk.lease(code, "lan")));
  auto corrected = desk.open(code)->record;
  corrected.tracking_number = "EE123456785VN";
  corrected.tracking_valid = true;
  const auto v2 = desk.save(code, "lan", 1, corrected, "127.0.0.1");
  ASSERT_FALSE(error_of(v2)) << std::get<Error>(v2).reason;
  EXPECT_EQ(std::get<int>(v2), 2);
  const auto stale = desk.save(code, "lan", 1, corrected, "127.0.0.1");
  ASSERT_TRUE(error_of(stale));
  EXPECT_EQ(std::get<Error>(stale).reason,
            "hồ sơ " + code + " đã được người khác sửa sau khi bạn mở (bản của bạn: 1, hiện tại: 2): hãy mở lại");
  EXPECT_TRUE(error_of(desk.confirm(code, "minh", 2, "")));  // not minh's to confirm
  ASSERT_FALSE(error_of(desk.confirm(code, "lan", 2, "127.0.0.1")));

  const auto after = desk.open(code);
  EXPECT_EQ(after->review_state, "confirmed");
  EXPECT_EQ(after->version, 3);
  EXPECT_FALSE(after->record.review_required());
  EXPECT_EQ(after->record.tracking_number, "EE123456785VN");
  ASSERT_TRUE(after->original);  // the pipeline's values beside the corrected ones
  EXPECT_FALSE(after->original->tracking_number);
  EXPECT_EQ(after->original->reasons.at(0).text, "tracking_barcode_unreadable");
  EXPECT_EQ(store.find_dossiers(code).at(0).tracking_number, "EE123456785VN");  // what show/find/receipt read
  EXPECT_EQ(store.find_dossiers("EE123456785VN").size(), 1u);
  for (const auto& q : desk.queue()) EXPECT_NE(q.code, code);

  std::vector<std::string> audit;
  for (const auto& e : store.audit_of("dossier:" + code))
    audit.push_back(e.actor + " " + e.action + " " + e.old_value.value_or("-") + " -> " + e.new_value.value_or("-"));
  EXPECT_EQ(audit, (std::vector<std::string>{
                       "lan set_field tracking_number=null -> tracking_number=\"EE123456785VN\"",
                       "lan set_field tracking_valid=false -> tracking_valid=true",
                       "lan set_field review={\"reasons\":[\"tracking_barcode_unreadable\"],\"required\":true} -> "
                       "review={\"reasons\":[],\"required\":false}",
                       "lan confirm pending -> confirmed"}));
}

TEST(Review, ACorrectionSurvivesTheBatchBeingCommittedAgainAndGoesBackToTheQueueWhenThePipelineChangedIt) {
  Store store(fresh_db("recommit.db"));
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  desk.lease(codes[0], "lan");
  auto corrected = desk.open(codes[0])->record;
  corrected.tracking_number = "EE123456785VN";
  desk.save(codes[0], "lan", 1, corrected, "");
  desk.confirm(codes[0], "lan", 2, "");
  // The same pipeline output again: nothing changes.
  commit_four(store);
  EXPECT_EQ(desk.open(codes[0])->review_state, "confirmed");
  EXPECT_EQ(desk.open(codes[0])->record.tracking_number, "EE123456785VN");
  // A grown batch whose pipeline record differs: the correction stays, and someone looks again.
  auto again = flagged(1, "2026-12-08", "2026-11-27T09:30:00+07:00");
  again.pages.push_back({.number = 5});
  store.commit_dossiers("b1", {again}, "H38");
  const auto d = desk.open(codes[0]);
  EXPECT_EQ(d->record.tracking_number, "EE123456785VN");
  EXPECT_EQ(d->review_state, "pending");
  EXPECT_EQ(d->original->pages.size(), 2u);
}

}  // namespace intake

namespace intake {

TEST(Review, ExportGivesTheCorrectedRecordsAndSinceOnlyThoseCommittedOrChangedSince) {
  Clock clock;
  Store store(fresh_db("export.db"), clock);
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  clock.t += std::chrono::hours(2);
  const std::string since = LocalTime::at(clock.t - std::chrono::minutes(1)).iso();
  desk.lease(codes[1], "lan");
  auto corrected = desk.open(codes[1])->record;
  corrected.applicant.full_name = "Nguyễn Văn An";
  ASSERT_FALSE(error_of(desk.save(codes[1], "lan", 1, corrected, "")));
  const auto all = store.export_records();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].applicant.full_name, "Nguyễn Văn An");
  const auto changed = store.export_records(since);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].dossier_code, codes[1]);
}

}  // namespace intake

namespace intake {

TEST(Review, ASplitAndAMergeKeepEveryPageInOneDossierAndTheCodesInOrder) {
  Store store(fresh_db("regroup.db"));
  store.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00",
                   {{1, "a", 1, "1"}, {2, "b", 1, "2"}, {3, "c", 1, "3"}, {4, "d", 1, "4"}});
  auto two = flagged(1, "2026-12-08", "2026-11-27T09:30:00+07:00");
  for (int n : {2, 3}) two.pages.push_back({.number = n});
  store.commit_dossiers("b1", {two, flagged(4, "2026-12-08", "2026-11-27T09:30:00+07:00")}, "H38");
  const auto codes = [&] {
    std::vector<std::string> out;
    for (const auto& d : store.dossiers("b1")) out.push_back(*d.dossier_code);
    return out;
  }();
  ReviewDesk desk(store);
  ASSERT_FALSE(error_of(desk.lease(codes[0], "lan")));
  auto group = [](std::vector<int> pages) {
    DossierRecord r;
    r.received_at = "2026-11-27T09:30:00+07:00";
    for (int n : pages) r.pages.push_back({.number = n});
    return r;
  };
  // A page lost, or doubled: refused, nothing changed.
  EXPECT_EQ(std::get<Error>(desk.regroup("lan", {{codes[0], 1}}, {group({1}), group({3})}, "H38", "split", "")).reason,
            "cách chia mới không gồm đúng các trang của những hồ sơ nó thay thế");
  EXPECT_TRUE(error_of(desk.regroup("lan", {{codes[0], 1}}, {group({1, 2}), group({2, 3})}, "H38", "split", "")));
  EXPECT_TRUE(error_of(desk.regroup("lan", {{codes[0], 7}}, {group({1, 2}), group({3})}, "H38", "split", "")));
  EXPECT_TRUE(error_of(desk.regroup("minh", {{codes[0], 1}}, {group({1, 2}), group({3})}, "H38", "split", "")));
  // Split before page 3: the first keeps its code, the new one takes the next.
  const auto split = desk.regroup("lan", {{codes[0], 1}}, {group({1, 2}), group({3})}, "H38", "split", "");
  ASSERT_FALSE(error_of(split)) << std::get<Error>(split).reason;
  const auto split_codes = std::get<std::vector<std::string>>(split);
  EXPECT_EQ(split_codes[0], codes[0]);
  EXPECT_EQ(split_codes[1], "H38-261127-0003");
  EXPECT_EQ(desk.open(codes[0])->record.pages.size(), 2u);
  EXPECT_EQ(desk.open(split_codes[1])->review_state, "pending");
  EXPECT_EQ(desk.open(split_codes[1])->lease_user, "lan");
  // Merge page 3's dossier back into the first: the emptied one is marked merged, out of exports.
  const int v0 = desk.open(codes[0])->version, v1 = desk.open(split_codes[1])->version;
  const auto merged =
      desk.regroup("lan", {{codes[0], v0}, {split_codes[1], v1}}, {group({1, 2, 3})}, "H38", "merge", "");
  ASSERT_FALSE(error_of(merged)) << std::get<Error>(merged).reason;
  EXPECT_EQ(desk.open(split_codes[1])->review_state, "merged");
  EXPECT_EQ(desk.open(split_codes[1])->review_note, "gộp vào " + codes[0]);
  EXPECT_EQ(desk.open(codes[0])->record.pages.size(), 3u);
  std::set<int> pages;
  for (const auto& d : store.export_records())
    for (const auto& p : d.pages) EXPECT_TRUE(pages.insert(p.number).second) << "page " << p.number << " twice";
  EXPECT_EQ(pages, (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(store.export_records().size(), 2u);
  std::vector<std::string> actions;
  for (const auto& e : store.audit_of("dossier:" + split_codes[1])) actions.push_back(e.action);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "split"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "merge"), actions.end());
}

}  // namespace intake

namespace intake {

// Before: "get next" looked only at the first 500 of the queue, so with those all held by others
// it said the queue was empty.
TEST(Review, GetNextFindsAFreeDossierBehindAnyNumberHeldByOthers) {
  Store store(fresh_db("next.db"));
  std::vector<LedgerPage> pages;
  std::vector<DossierRecord> records;
  for (int n = 1; n <= 502; ++n) {
    pages.push_back({n, "p" + std::to_string(n), 1, std::to_string(n)});
    records.push_back(flagged(n, "2026-12-08", "2026-11-27T09:30:00+07:00"));
  }
  store.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00", pages);
  store.commit_dossiers("b1", records, "H38");
  ReviewDesk desk(store);
  for (int i = 0; i < 501; ++i) ASSERT_TRUE(desk.next("op" + std::to_string(i)));
  const auto last = desk.next("lan");
  ASSERT_TRUE(last);
  EXPECT_EQ(desk.open(*last)->lease_user, "lan");
  EXPECT_FALSE(desk.next("minh"));  // now every one is held
}

}  // namespace intake

namespace intake {

// Found in review: a merge, then a split at the merged-away dossier's first page, left those pages
// in no dossier (the merged row was reused, its empty record kept).
TEST(Review, ASplitWhereAMergedDossierBeganBringsItBackWithItsPages) {
  Store store(fresh_db("merge-split.db"));
  store.open_batch("b1", "/in", "2026-11-27T09:30:00+07:00",
                   {{1, "a", 1, "1"}, {2, "b", 1, "2"}, {3, "c", 1, "3"}, {4, "d", 1, "4"}});
  auto a = flagged(1, "2026-12-08", "2026-11-27T09:30:00+07:00");
  a.pages.push_back({.number = 2});
  auto b = flagged(3, "2026-12-08", "2026-11-27T09:30:00+07:00");
  b.pages.push_back({.number = 4});
  store.commit_dossiers("b1", {a, b}, "H38");
  const auto ds = store.dossiers("b1");
  const std::string ca = *ds[0].dossier_code, cb = *ds[1].dossier_code;
  ReviewDesk desk(store);
  desk.lease(ca, "lan");
  desk.lease(cb, "lan");
  auto group = [](std::vector<int> pages) {
    DossierRecord r;
    r.received_at = "2026-11-27T09:30:00+07:00";
    for (int n : pages) r.pages.push_back({.number = n});
    return r;
  };
  ASSERT_FALSE(error_of(desk.regroup("lan", {{ca, 1}, {cb, 1}}, {group({1, 2, 3, 4})}, "H38", "merge", "")));
  ASSERT_EQ(desk.open(cb)->review_state, "merged");
  const auto split =
      desk.regroup("lan", {{ca, desk.open(ca)->version}}, {group({1, 2}), group({3, 4})}, "H38", "split", "");
  ASSERT_FALSE(error_of(split)) << std::get<Error>(split).reason;
  EXPECT_EQ(std::get<std::vector<std::string>>(split)[1], cb);  // its code back, no new one taken
  EXPECT_EQ(desk.open(cb)->review_state, "pending");
  std::set<int> pages;
  for (const auto& d : store.export_records())
    for (const auto& p : d.pages) EXPECT_TRUE(pages.insert(p.number).second);
  EXPECT_EQ(pages, (std::set<int>{1, 2, 3, 4}));
}

TEST(Review, ARegroupingNeedsDossiersInReviewAndOneOfThemHeld) {
  Store store(fresh_db("regroup-state.db"));
  const auto codes = commit_four(store);
  ReviewDesk desk(store);
  DossierRecord r;
  r.received_at = "2026-11-27T09:30:00+07:00";
  r.pages.push_back({.number = 1});
  // Not held by the caller.
  EXPECT_EQ(std::get<Error>(desk.regroup("lan", {{codes[0], 1}}, {r}, "H38", "split", "")).reason,
            "hãy mở hồ sơ để xem xét trước khi chia lại");
  // Not in review (the clean dossier of page 4).
  desk.lease(codes[3], "lan");
  DossierRecord four = r;
  four.pages = {{.number = 4}};
  EXPECT_EQ(std::get<Error>(desk.regroup("lan", {{codes[3], 1}}, {four}, "H38", "split", "")).reason,
            "hồ sơ " + codes[3] + " không ở bước xem xét (trạng thái none): hãy mở lại trước");
}

}  // namespace intake
