// MemoryLedger: a Ledger kept in memory, with the dossier store's rules (pipeline/ledger.h), for
// the runtime's own tests and for tools that need no store. Not durable; one thread at a time.
#pragma once

#include <map>
#include <set>
#include <tuple>

#include "pipeline/ledger.h"

namespace intake {

class MemoryLedger final : public Ledger {
 public:
  BatchInfo open_batch(const std::string& batch_id, const std::string& input, const std::string& received_at,
                       const std::vector<LedgerPage>& pages) override;
  std::vector<LedgerPage> ledger(const std::string& batch_id) override;
  int record_failure(const std::string& batch_id, int number, const std::string& token, const std::string& stage,
                     const std::string& reason) override;
  std::vector<std::string> failures(const std::string& batch_id, int number) override;
  void save_page(const std::string& batch_id, int number, const std::string& state, const nlohmann::json& result,
                 const std::optional<std::string>& error) override;
  void quarantine(const QuarantineEntry& entry, const nlohmann::json& result) override;
  std::vector<QuarantineEntry> quarantined(const std::string& batch_id) override;

  // Marks the batch and its pages committed, as a store's commit would.
  void commit(const std::string& batch_id);

 private:
  struct Batch {
    BatchInfo info;
    std::map<int, LedgerPage> pages;
    std::map<int, std::vector<std::string>> failure_reasons;
    std::set<std::pair<int, std::string>> failure_tokens;
    std::map<int, QuarantineEntry> quarantine;
  };
  std::map<std::string, Batch> batches_;
};

}  // namespace intake
