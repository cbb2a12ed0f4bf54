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

} // namespace samplegen
