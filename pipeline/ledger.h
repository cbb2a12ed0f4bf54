// Ledger: what the coordinator needs of a store to guarantee that no page is lost or doubled.
//
// Every page of a batch is recorded before it is dispatched, with its state pending ->
// processed | quarantined (-> committed, by whoever commits the batch) and its result; failed
// dispatches are counted per (page, token); quarantined pages are listed with their reason.
// The dossier store (pipeline/dossier/store.h) is the ledger of a real run; MemoryLedger
// (pipeline/memory_ledger.h) keeps one in memory for the runtime's own tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace intake {

struct LedgerPage {
  int number = 0;
  std::string source_file;
  int source_page = 1;
  std::string content_hash;
  std::string state = "pending";      // pending | processed | quarantined | committed
  int failures = 0;                   // dispatches whose worker died or stalled while the run lived
  std::optional<std::string> result;  // PageItem JSON once processed
  std::optional<std::string> error;
};

struct BatchInfo {
  std::string batch_id;
  std::string input;
  std::string received_at;
  std::string state;  // open | committed
};

struct QuarantineEntry {
  std::string batch_id;
  int page_number = 0;
  std::string source_file;
  int source_page = 1;
  std::string reason;
  std::string stored_path;  // the copy in the quarantine folder; empty when it could not be made
  std::string at;
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Records the batch and its pages (pages already present keep their state). Returns the batch
  // as stored: a resumed batch keeps the received_at it was first given. A batch extended since
  // it was committed is open again: its new pages are added, a page whose content changed is
  // pending again (its result and quarantine entry dropped).
  virtual BatchInfo open_batch(const std::string& batch_id, const std::string& input, const std::string& received_at,
                               const std::vector<LedgerPage>& pages) = 0;
  virtual std::vector<LedgerPage> ledger(const std::string& batch_id) = 0;
  // Counts a failed dispatch of a page (its worker died on it or stalled). The same (batch,
  // page, token) counts once. Returns the page's failures so far; 0 when the page is unknown.
  virtual int record_failure(const std::string& batch_id, int number, const std::string& token,
                             const std::string& stage, const std::string& reason) = 0;
  // The reasons of a page's failed dispatches, oldest first.
  virtual std::vector<std::string> failures(const std::string& batch_id, int number) = 0;
  virtual void save_page(const std::string& batch_id, int number, const std::string& state,
                         const nlohmann::json& result, const std::optional<std::string>& error) = 0;
  // The page quarantined: its state, its result and its entry in the list, together (a page
  // saved as quarantined but missing from the list would be hidden from the operators).
  virtual void quarantine(const QuarantineEntry& entry, const nlohmann::json& result) = 0;
  virtual std::vector<QuarantineEntry> quarantined(const std::string& batch_id) = 0;
};

}  // namespace intake
