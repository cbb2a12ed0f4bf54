// intake eval's scoring: grouping, fields, and the blame of a confusion on the signal that decided
// it, read from the run's explanations (intake.explanation/1).
#include "tools/intake/eval_score.h"

#include <gtest/gtest.h>

namespace intake {
namespace {

using json = nlohmann::json;

PageRecord page(int number, PageType type, const std::string& text = "") {
  PageRecord p;
  p.number = number;
  p.source_file = "scan_" + std::to_string(number) + ".png";
  p.type = type;
  p.text = text;
  return p;
}

DossierRecord dossier(std::vector<PageRecord> pages, const std::string& tracking = "") {
  DossierRecord d;
  if (!tracking.empty()) d.tracking_number = tracking, d.tracking_valid = true;
  d.pages = std::move(pages);
  return d;
}

json explanation(const std::string& reason, int at, std::vector<std::pair<int, json>> evidence) {
  json pages = json::array();
  for (auto& [n, e] : evidence) pages.push_back({{"number", n}, {"evidence", e}});
  return {{"schema", "intake.explanation/1"},
          {"boundary", {{"reason", reason}, {"page", at}}},
          {"appended_blank_pages", json::array()},
          {"pages", pages}};
}

}  // namespace

TEST(EvalScore, AMissedEnvelopeIsPutDownToTheSignalThatDecidedItsTypeAndToTheMerge) {
  const std::vector<DossierRecord> truth{
      dossier({page(1, PageType::envelope), page(2, PageType::application_form)}, "EE123456785VN"),
      dossier({page(3, PageType::envelope), page(4, PageType::application_form)}, "RR987654326VN")};
  // The second envelope was read as a supporting document: its dossier merged into the first.
  const std::vector<DossierRecord> predicted{
      dossier({page(1, PageType::envelope), page(2, PageType::application_form), page(3, PageType::supporting_document),
               page(4, PageType::application_form)},
              "EE123456785VN")};
  const std::vector<json> explanations{explanation(
      "batch_start", 1,
      {{1,
        json::parse(R"([{"signal":"envelope.s10_barcode","weight":4},{"signal":"envelope.sender_label","weight":2}])")},
       {2, json::parse(R"([{"signal":"application_form.form_title","weight":3}])")},
       {3, json::parse(R"([{"signal":"supporting_document.no_type_reached_threshold","weight":0}])")},
       {4, json::parse(R"([{"signal":"application_form.form_title","weight":3}])")}})};
  eval::Report r;
  eval::score_batch(r, "b", truth, predicted, explanations, {});
  EXPECT_EQ(r.grouping_exact, 0);
  EXPECT_EQ(r.confusion["envelope"]["supporting_document"], 1);
  EXPECT_EQ(r.confusion_signals["envelope -> supporting_document"]["supporting_document.no_type_reached_threshold"], 1);
  EXPECT_EQ(r.confusion_signals.size(), 1u);  // right pages are not blamed on anything
  EXPECT_EQ(r.grouping_causes["merged into the dossier before: its envelope read as supporting_document "
                              "(supporting_document.no_type_reached_threshold)"],
            1);
  EXPECT_EQ(r.grouping_causes["took pages of another dossier: page 3 read as supporting_document "
                              "(supporting_document.no_type_reached_threshold)"],
            1);
  // The second dossier is scored against the one its first page went to: the first's number.
  EXPECT_EQ(r.fields["tracking_number"].correct, 1);
  EXPECT_EQ(r.fields["tracking_number"].misread, 1);
  const auto md = eval::to_markdown(r, "t");
  EXPECT_NE(md.find("| envelope -> supporting_document | supporting_document.no_type_reached_threshold | 1 |"),
            std::string::npos)
      << md;
  EXPECT_EQ(eval::to_json(r)["grouping_causes"].size(), 2u);
}

TEST(EvalScore, ASplitIsPutDownToTheBoundaryAndTheHeaviestSignalOfTheWrongType) {
  const std::vector<DossierRecord> truth{
      dossier({page(1, PageType::envelope), page(2, PageType::application_form), page(3, PageType::id_card)})};
  const std::vector<DossierRecord> predicted{
      dossier({page(1, PageType::envelope), page(2, PageType::application_form)}),
      dossier({page(3, PageType::envelope)})};
  const std::vector<json> explanations{
      explanation("batch_start", 1, {}),
      explanation("envelope", 3, {{3, json::parse(R"([{"signal":"envelope.sender_label","weight":2},
                                       {"signal":"id_card.citizen_id_qr","weight":4},
                                       {"signal":"envelope.s10_barcode","weight":4}])")}})};
  eval::Report r;
  eval::score_batch(r, "b", truth, predicted, explanations, {});
  EXPECT_EQ(r.confusion_signals["id_card -> envelope"]["envelope.s10_barcode"], 1);
  EXPECT_EQ(r.grouping_causes["split: a dossier began (envelope) at a page read as envelope (envelope.s10_barcode)"],
            1);
}

TEST(EvalScore, WithoutExplanationsTheBlameSaysSoInsteadOfGuessing) {
  const std::vector<DossierRecord> truth{dossier({page(1, PageType::id_card)})};
  const std::vector<DossierRecord> predicted{dossier({page(1, PageType::supporting_document)})};
  eval::Report r;
  eval::score_batch(r, "b", truth, predicted, {}, {});
  EXPECT_EQ(r.confusion_signals["id_card -> supporting_document"]["(no evidence kept)"], 1);
  EXPECT_EQ(r.grouping_exact, 1);
}

// The admin's dry run: the same corpus under two configs, side by side.
TEST(EvalScore, AComparisonSaysWhichRunIsBetterPerMeasureAndListsTheDossiersThatChanged) {
  const std::vector<DossierRecord> truth{
      dossier({page(1, PageType::envelope), page(2, PageType::application_form)}, "EE123456785VN"),
      dossier({page(3, PageType::envelope), page(4, PageType::application_form)}, "RR987654326VN")};
  // Current: both dossiers right. Candidate: the second envelope's number not read (null).
  eval::Report current, candidate;
  eval::score_batch(current, "b", truth, truth, {}, {});
  auto worse = truth;
  worse[1].tracking_number.reset();
  worse[1].tracking_valid = false;
  eval::score_batch(candidate, "b", truth, worse, {}, {});
  current.seconds = candidate.seconds = 60;
  current.pages_processed = 100, candidate.pages_processed = 104;  // within the noise of a shared machine

  // The missing number was not flagged: a silent error, and both dossiers went straight through.
  EXPECT_EQ(candidate.fields["tracking_number"].silent, 1);
  EXPECT_EQ(candidate.silent_dossiers(), 1);
  EXPECT_EQ(candidate.straight_through, 2);
  EXPECT_EQ(current.silent_dossiers(), 0);
  EXPECT_EQ(eval::to_json(candidate)["silent_errors"]["fields"][0]["field"], "tracking_number");

  const json c = eval::compare(current, candidate);
  std::map<std::string, json> by_key;
  for (const auto& m : c["measures"]) by_key[m["key"].get<std::string>()] = m;
  EXPECT_EQ(by_key["tracking_number"]["better"], "current");
  EXPECT_DOUBLE_EQ(by_key["tracking_number"]["candidate"].get<double>(), 0.5);
  EXPECT_EQ(by_key["grouping"]["better"], "");
  EXPECT_EQ(by_key["pages_per_minute"]["better"], "");
  // No wrong dossier in the current run: its recall means nothing, and the candidate's misses
  // make it the worse.
  EXPECT_TRUE(by_key["review_recall"]["current"].is_null());
  EXPECT_EQ(by_key["review_recall"]["better"], "current");
  EXPECT_EQ(c["better"], 0);
  EXPECT_GE(c["worse"].get<int>(), 2);

  ASSERT_EQ(c["changed"].size(), 1u);
  const json& changed = c["changed"][0];
  EXPECT_EQ(changed["first_page"], 3);
  bool tracking = false;
  for (const auto& f : changed["fields"])
    if (f["field"] == "tracking_number") {
      tracking = true;
      EXPECT_EQ(f["truth"], "RR987654326VN");
      EXPECT_EQ(f["current"], "RR987654326VN");
      EXPECT_TRUE(f["candidate"].is_null());
    }
  EXPECT_TRUE(tracking);

  // The other way round, the candidate is the better.
  const json back = eval::compare(candidate, current);
  EXPECT_EQ(back["worse"], 0);
  EXPECT_GE(back["better"].get<int>(), 2);
}

}  // namespace intake
