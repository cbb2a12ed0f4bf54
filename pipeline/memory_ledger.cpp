#include "pipeline/memory_ledger.h"

namespace intake {

BatchInfo MemoryLedger::open_batch(const std::string& batch_id, const std::string& input,
                                   const std::string& received_at, const std::vector<LedgerPage>& pages) {
  auto [it, fresh] = batches_.try_emplace(batch_id);
  Batch& b = it->second;
  if (fresh) b.info = {batch_id, input, received_at, "open"};
  bool pending = false;
  for (const auto& p : pages) {
    auto [page, added] = b.pages.try_emplace(p.number, p);
    const bool changed =
        !added && (page->second.content_hash != p.content_hash || page->second.source_file != p.source_file);
    if (added || changed) {  // new, or its content changed: pending again, as the store does
      page->second = p;
      page->second.state = "pending";
      page->second.failures = 0;
      page->second.result.reset();
    }
    if (changed) {
      b.quarantine.erase(p.number);
      b.failure_reasons.erase(p.number);
      std::erase_if(b.failure_tokens, [&](const auto& t) { return t.first == p.number; });
    }
    pending |= page->second.state == "pending";
  }
  if (pending) b.info.state = "open";
  return b.info;
}

std::vector<LedgerPage> MemoryLedger::ledger(const std::string& batch_id) {
  std::vector<LedgerPage> out;
  if (auto it = batches_.find(batch_id); it != batches_.end())
    for (const auto& [n, p] : it->second.pages) out.push_back(p);
  return out;
}

int MemoryLedger::record_failure(const std::string& batch_id, int number, const std::string& token,
                                 const std::string& stage, const std::string& reason) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end() || !it->second.pages.count(number)) return 0;
  Batch& b = it->second;
  if (b.failure_tokens.insert({number, token}).second) b.failure_reasons[number].push_back(stage + ": " + reason);
  return b.pages[number].failures = static_cast<int>(b.failure_reasons[number].size());
}

std::vector<std::string> MemoryLedger::failures(const std::string& batch_id, int number) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end() || !it->second.failure_reasons.count(number)) return {};
  return it->second.failure_reasons.at(number);
}

void MemoryLedger::save_page(const std::string& batch_id, int number, const std::string& state,
                             const nlohmann::json& result, const std::optional<std::string>& error) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end() || !it->second.pages.count(number)) return;
  LedgerPage& p = it->second.pages[number];
  p.state = state;
  p.result = result.dump();
  p.error = error;
}

void MemoryLedger::quarantine(const QuarantineEntry& entry, const nlohmann::json& result) {
  auto it = batches_.find(entry.batch_id);
  if (it == batches_.end() || !it->second.pages.count(entry.page_number)) return;
  save_page(entry.batch_id, entry.page_number, "quarantined", result, entry.reason);
  it->second.quarantine[entry.page_number] = entry;
}

std::vector<QuarantineEntry> MemoryLedger::quarantined(const std::string& batch_id) {
  std::vector<QuarantineEntry> out;
  if (auto it = batches_.find(batch_id); it != batches_.end())
    for (const auto& [n, q] : it->second.quarantine) out.push_back(q);
  return out;
}

void MemoryLedger::commit(const std::string& batch_id) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return;
  it->second.info.state = "committed";
  for (auto& [n, p] : it->second.pages) p.state = "committed";
}

}  // namespace intake
