// Batch 01: fifteen scanned pages in thirteen files — four postal dossiers (birth, marriage,
// business household, death registration) and a separator sheet — with what each page shows,
// how it was scanned and filed, and the ground truth (truth.jsonl, separators.json).
#pragma once

#include <cstdint>
#include <filesystem>

namespace samplegen {

// Writes the batch files, truth.jsonl and separators.json into dir (created if missing).
// The same seed always gives the same bytes. Throws on any failure, including a barcode
// that does not decode from the written page.
void writeBatch01(const std::filesystem::path& dir, std::uint32_t seed);

// Dispatch 01: the results of batch 01 going home. Outbound envelopes from the commune centre
// (S10 label, the citizen as addressee), each followed by the first page of its result with the
// dossier code printed and as a QR code, as batch 01 gets its codes when received on
// 2026-02-13 at 15:00 by agency 000.00.00.H38; the first result was scanned without its envelope.
// Writes the scans and truth.json (the dispatches expected).
void writeDispatch01(const std::filesystem::path& dir, std::uint32_t seed);

} // namespace samplegen
