// Page renditions for the review screen: a scan turned upright and straightened as the pipeline
// read it (so that the OCR's word boxes fall on their words), scaled to the width the browser
// asks for, as JPEG. A 2019 office PC then pans a 1200-pixel JPEG, not a 400-dpi original. The
// original scans are only read. Thread-safe; the last renditions are kept in memory.
#pragma once

#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "pipeline/batch.h"
#include "stages/ingest.h"

namespace intake::web {

struct Rendition {
  std::string jpeg;
  int width = 0, height = 0;
  double scale = 1;  // rendition pixels per working-image pixel (word boxes)
};

class Renditions {
 public:
  explicit Renditions(IngestConfig ingest, std::size_t cache_entries = 96);
  // Throws std::runtime_error with the reason (the scan is gone, or no longer decodes).
  Rendition render(const std::filesystem::path& input, int number, int rotation, double skew_deg, int width);

 private:
  const PageSource& source(const std::filesystem::path& input, int number);

  Ingest ingest_;
  std::mutex mutex_;
  std::map<std::string, ScanBatch> batches_;  // by input, listed once
  std::size_t capacity_;
  std::list<std::pair<std::string, Rendition>> recent_;  // most recent first
};

}  // namespace intake::web
