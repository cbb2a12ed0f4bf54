// Ingest: turns a scan batch (a folder in natural file-name order, or a list of files) into the
// ordered list of its pages, and loads one page's image bytes on demand.
//
// Formats are recognised by their magic bytes: PNG, JPEG, TIFF (every page of a multi-page
// file), WebP, PDF (each page rendered at the configured dpi with poppler). Files with other
// extensions are skipped (a batch folder may hold notes); a file with a scan extension that
// cannot be read still takes one page number, carrying the reason, so it is quarantined and
// scan order is kept. A PDF or TIFF page is checked against ingest.max_pixels before it is
// rendered or decoded (from the page box x dpi, from the IFD), and a file with more than
// ingest.max_pages_per_file pages is quarantined whole; a TIFF's page directories are found in
// one pass, so reading a long file is linear.
//
// Folder entries that are not read are listed as skipped with their reason: other extensions,
// hidden files aside (names starting with '.', a scanner's temporary files) - folders, FIFOs,
// sockets, devices, and symbolic links that are dangling, loop, or lead out of the batch folder
// (links are never followed out of it; one that stays inside and leads to a regular file is read).
// A file named on the command line is read wherever it is. File names are kept as bytes for
// reading and shown as text::printable (a Latin-1 name as "\xF4") in records and output.
// The batch id is a hash over file names and contents: the same files give
// the same batch, which is what lets an interrupted run resume.
//
// Immutable after construction; enumerate() and load() are thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/batch.h"

namespace intake {

// The `ingest` section: how scans are listed and read.
struct IngestConfig {
  int pdf_dpi = 200;                       // PDF pages are rendered at this resolution
  long long max_file_bytes = 512ll << 20;  // larger files are quarantined unread
  long long max_pixels = 150'000'000;      // a PDF or TIFF page larger than this is refused before it is rendered
  int max_pages_per_file = 2000;           // a PDF or TIFF with more pages is quarantined (a page-count bomb)
  std::vector<std::string> extensions{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".pdf"};
};

class Ingest {
 public:
  explicit Ingest(IngestConfig config);
  ~Ingest();

  // Throws std::runtime_error when `input` does not exist or holds no scan.
  ScanBatch enumerate(const std::vector<std::filesystem::path>& inputs) const;
  // Encoded image bytes of the page. Throws std::runtime_error with the reason. Pages of a TIFF
  // asked for in order cost O(1) each (the file stays open between them; libtiff's jump to a
  // directory walks the chain from the start, so jumping to every page would be quadratic).
  std::string load(const PageSource& page) const;

 private:
  IngestConfig config_;
  struct TiffReader;
  std::unique_ptr<TiffReader> tiff_;  // guarded by its own mutex: load() stays thread-safe
};

// "png", "jpeg", "tiff", "webp", "pdf" or "unknown" from a file's first bytes.
std::string sniff_format(std::string_view head);

}  // namespace intake
