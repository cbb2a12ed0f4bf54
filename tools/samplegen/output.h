// Writing scanned pages the way scanners deliver them — PNG, JPEG, multi-page TIFF, WebP and
// multi-page PDF (cairo) — and decoding each written file back to the page images a reader
// of the file gets, so checks run on exactly what was written.
#pragma once

#include <opencv2/core.hpp>

#include <filesystem>
#include <vector>

namespace samplegen {

enum class FileFormat { Png, Jpeg, Tiff, Webp, Pdf };

struct FileOptions {
    int jpegQuality = 85;
    int webpQuality = 90;
    int pdfJpegQuality = 0; // > 0: PDF pages embed JPEG data of this quality; 0: lossless (Flate)
    int pngCompression = 9;
    int tiffDpi = 200;
    // PDF: resolution of each page; empty = every page is A4 at 200 dpi (batch-01). Otherwise
    // each page gets the paper size of its image at its resolution (envelopes stay envelopes).
    std::vector<int> pdfDpi;
};

// Writes the 8-bit grey (or, for JPEG, WebP and PDF, BGR colour) pages to path (one page per file except TIFF and PDF) and returns the
// pages decoded back from what was written. Throws std::runtime_error on failure.
std::vector<cv::Mat> writeScanFile(const std::filesystem::path& path, FileFormat format,
                                   const std::vector<cv::Mat>& pages, const FileOptions& options);

} // namespace samplegen
