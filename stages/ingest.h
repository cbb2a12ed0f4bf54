// Ingest: turns a scan batch (a folder in natural file-name order, or a list of files) into the
// ordered list of its pages, and loads one page's image bytes on demand.
//
// Formats are recognised by their magic bytes: PNG, JPEG, TIFF (every page of a multi-page
// file), WebP, PDF (each page rendered at the configured dpi with poppler). Files with other
// extensions are skipped (a batch folder may hold notes); a file with a scan extension that
// cannot be read still takes one page number, carrying the reason, so it is quarantined and
// scan order is kept. The batch id is a hash over file names and contents: the same files give
// the same batch, which is what lets an interrupted run resume.
//
// Immutable after construction; enumerate() and load() are thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/config.h"

namespace intake {

class Ingest {
 public:
  explicit Ingest(IngestConfig config) : config_(std::move(config)) {}

  // Throws std::runtime_error when `input` does not exist or holds no scan.
  ScanBatch enumerate(const std::vector<std::filesystem::path>& inputs) const;
  // Encoded image bytes of the page. Throws std::runtime_error with the reason.
  std::string load(const PageSource& page) const;

 private:
  IngestConfig config_;
};

// "png", "jpeg", "tiff", "webp", "pdf" or "unknown" from a file's first bytes.
std::string sniff_format(std::string_view head);

}  // namespace intake
