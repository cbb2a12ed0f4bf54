// The scan corpus (intake-samplegen --corpus): batches of postal dossiers of about `pages`
// pages in all, each batch a folder `intake run` takes (batch-001/, batch-002/, ...) with its
// truth.jsonl and separators.json in the batch-01 format, plus manifest.json describing the
// profile, every page's scan conditions and whether its barcodes still decode. See
// docs/corpus.md. The same arguments always give the same bytes, whatever the thread count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace samplegen {

struct CorpusOptions {
    std::string profile = "standard"; // clean, standard, hard
    int pages = 200;
    std::uint32_t seed = 1;
    int jobs = 0; // worker threads; 0 = one per core
    bool dryRun = false; // lay everything out and stop: writes nothing (layout checks)
};

// Throws on any failure (bad profile, layout bug, unwritable file, a barcode that does not
// decode even from the undegraded drawing).
void writeCorpus(const std::filesystem::path& dir, const CorpusOptions& options);

} // namespace samplegen
