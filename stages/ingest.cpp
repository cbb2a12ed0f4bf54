#include "stages/ingest.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <spdlog/spdlog.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include "pipeline/hash.h"
#include "pipeline/text.h"

namespace intake {
namespace {

std::string read_file(const std::filesystem::path& file, long long max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw std::runtime_error("cannot read file size: " + ec.message());
  if (static_cast<long long>(size) > max_bytes)
    throw std::runtime_error("file is " + std::to_string(size) + " bytes, over the limit of " +
                             std::to_string(max_bytes));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open file");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) throw std::runtime_error("short read");
  return bytes;
}

std::string read_head(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(16, '\0');
  in.read(head.data(), 16);
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return head;
}

void poppler_message(const std::string& message, void*) { spdlog::debug("poppler: {}", message); }

std::unique_ptr<poppler::document> open_pdf(const std::filesystem::path& file) {
  static const bool quiet = [] {
    poppler::set_debug_error_function(poppler_message, nullptr);
    return true;
  }();
  (void)quiet;
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(file.string()));
  if (!doc) throw std::runtime_error("not a readable PDF");
  if (doc->is_locked()) throw std::runtime_error("PDF is password protected");
  return doc;
}

int count_pages(const std::filesystem::path& file, const std::string& format) {
  if (format == "pdf") {
    const int n = open_pdf(file)->pages();
    if (n <= 0) throw std::runtime_error("PDF has no pages");
    return n;
  }
  if (format == "tiff") {
    const auto n = cv::imcount(file.string(), cv::IMREAD_UNCHANGED);
    if (n == 0) throw std::runtime_error("TIFF has no readable page");
    return static_cast<int>(n);
  }
  return 1;
}

std::string encode_png(const cv::Mat& image) {
  std::vector<uchar> buf;
  if (!cv::imencode(".png", image, buf)) throw std::runtime_error("cannot encode page as PNG");
  return std::string(buf.begin(), buf.end());
}

std::string render_pdf_page(const std::filesystem::path& file, int index, int dpi) {
  auto doc = open_pdf(file);
  std::unique_ptr<poppler::page> page(doc->create_page(index));
  if (!page) throw std::runtime_error("PDF page " + std::to_string(index + 1) + " cannot be opened");
  const auto rect = page->page_rect();
  const double pixels = rect.width() / 72.0 * dpi * rect.height() / 72.0 * dpi;
  if (pixels > 400e6) throw std::runtime_error("PDF page too large to render at " + std::to_string(dpi) + " dpi");
  poppler::page_renderer renderer;
  renderer.set_render_hints(poppler::page_renderer::antialiasing | poppler::page_renderer::text_antialiasing);
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image img = renderer.render_page(page.get(), dpi, dpi);
  if (!img.is_valid()) throw std::runtime_error("PDF page " + std::to_string(index + 1) + " failed to render");
  cv::Mat grey;
  if (img.format() == poppler::image::format_gray8) {
    grey = cv::Mat(img.height(), img.width(), CV_8UC1, img.data(), img.bytes_per_row()).clone();
  } else {
    cv::Mat argb(img.height(), img.width(), CV_8UC4, img.data(), img.bytes_per_row());
    cv::cvtColor(argb, grey, cv::COLOR_BGRA2GRAY);
  }
  return encode_png(grey);
}

}  // namespace

std::string sniff_format(std::string_view h) {
  if (h.size() >= 8 && h.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "png";
  if (h.size() >= 3 && h.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return "jpeg";
  if (h.size() >= 4 && (h.substr(0, 4) == std::string_view("II*\0", 4) || h.substr(0, 4) == std::string_view("MM\0*", 4)))
    return "tiff";
  if (h.size() >= 12 && h.substr(0, 4) == "RIFF" && h.substr(8, 4) == "WEBP") return "webp";
  if (h.size() >= 5 && h.substr(0, 5) == "%PDF-") return "pdf";
  return "unknown";
}

ScanBatch Ingest::enumerate(const std::vector<std::filesystem::path>& inputs) const {
  if (inputs.empty()) throw std::runtime_error("no input given");
  ScanBatch batch;
  std::vector<std::pair<std::filesystem::path, std::string>> files;  // absolute, relative
  for (const auto& input : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      if (batch.input.empty()) batch.input = std::filesystem::absolute(input);
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(input)) {
        const auto name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || !entry.is_regular_file()) continue;
        found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return text::natural_less(a.filename().string(), b.filename().string());
      });
      for (const auto& f : found) files.emplace_back(std::filesystem::absolute(f), f.filename().string());
    } else if (std::filesystem::exists(input, ec)) {
      if (batch.input.empty()) batch.input = std::filesystem::absolute(input);
      files.emplace_back(std::filesystem::absolute(input), input.filename().string());
    } else {
      throw std::runtime_error(input.string() + ": no such file or directory");
    }
  }

  std::string batch_key;
  for (const auto& [file, relative] : files) {
    auto ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::find(config_.extensions.begin(), config_.extensions.end(), ext) == config_.extensions.end()) {
      batch.skipped.push_back(relative);
      continue;
    }
    PageSource base;
    base.file = file;
    base.relative = relative;
    std::string file_hash;
    int pages = 1;
    try {
      file_hash = sha256_file_hex(file);
      if (std::filesystem::file_size(file) == 0) throw std::runtime_error("file is empty");
      base.format = sniff_format(read_head(file));
      if (base.format == "unknown") throw std::runtime_error("not a PNG, JPEG, TIFF, WebP or PDF file");
      pages = count_pages(file, base.format);
    } catch (const std::exception& e) {
      base.error = e.what();
      if (file_hash.empty()) file_hash = sha256_hex(relative);
    }
    batch_key += relative + '\0' + file_hash + '\n';
    for (int i = 1; i <= pages; ++i) {
      PageSource p = base;
      p.number = static_cast<int>(batch.pages.size()) + 1;
      p.source_page = i;
      p.content_hash = sha256_hex(file_hash + "#" + std::to_string(i));
      batch.pages.push_back(std::move(p));
    }
  }
  if (batch.pages.empty()) throw std::runtime_error(batch.input.string() + ": holds no scan files");
  batch.batch_id = "b" + sha256_hex(batch_key).substr(0, 16);
  return batch;
}

std::string Ingest::load(const PageSource& page) const {
  if (page.error) throw std::runtime_error(*page.error);
  if (page.format == "pdf") return render_pdf_page(page.file, page.source_page - 1, config_.pdf_dpi);
  if (page.format == "tiff") {
    if (cv::imcount(page.file.string(), cv::IMREAD_UNCHANGED) > 1) {
      std::vector<cv::Mat> mats;
      if (!cv::imreadmulti(page.file.string(), mats, page.source_page - 1, 1, cv::IMREAD_UNCHANGED) || mats.empty())
        throw std::runtime_error("TIFF page " + std::to_string(page.source_page) + " cannot be decoded");
      return encode_png(mats.front());
    }
  }
  std::string bytes = read_file(page.file, config_.max_file_bytes);
  if (sha256_hex(sha256_hex(bytes) + "#" + std::to_string(page.source_page)) != page.content_hash)
    throw std::runtime_error("file changed since the batch was listed");
  return bytes;
}

}  // namespace intake
