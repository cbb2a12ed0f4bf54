// A scan batch as the pipeline sees it: its pages in scan order and where each comes from.
// Plain values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/page.h"

namespace intake {

struct PageSource {
  int number = 0;                   // 1-based over the batch
  std::filesystem::path file;       // absolute, the name's bytes as they are (for reading)
  std::string relative;             // as shown in records: text::printable of the name
  int source_page = 1;              // 1-based within the file
  std::string format;               // png | jpeg | tiff | webp | pdf | unknown
  std::string content_hash;
  std::uint64_t tiff_directory = 0; // tiff: where the page's IFD starts in the file
  std::optional<std::string> error; // the file could not be listed; the page is quarantined
};

// A directory entry that is not read, and why (not a scan, a link out of the folder, a FIFO...).
struct SkippedFile {
  std::string name;  // text::printable of the name
  std::string reason;
};

struct ScanBatch {
  std::string batch_id;
  std::filesystem::path input;
  std::vector<PageSource> pages;
  std::vector<SkippedFile> skipped;
};

struct BatchContext {
  std::string batch_id;
  std::string received_at;
};

// Encoded image bytes of one page; throws std::runtime_error with the reason.
using PageLoader = std::function<std::string(const PageSource&)>;

}  // namespace intake
