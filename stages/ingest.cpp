#include "stages/ingest.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <variant>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <spdlog/spdlog.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <tiffio.h>

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

std::string encode_png(const cv::Mat& image) {
  std::vector<uchar> buf;
  if (!cv::imencode(".png", image, buf)) throw std::runtime_error("cannot encode page as PNG");
  return std::string(buf.begin(), buf.end());
}

std::string render_pdf_page(const std::filesystem::path& file, int index, int dpi, long long max_pixels) {
  auto doc = open_pdf(file);
  std::unique_ptr<poppler::page> page(doc->create_page(index));
  if (!page) throw std::runtime_error("PDF page " + std::to_string(index + 1) + " cannot be opened");
  // From the page box, before anything is rendered.
  const auto rect = page->page_rect();
  const double w = rect.width() / 72.0 * dpi, h = rect.height() / 72.0 * dpi;
  if (!(w >= 1 && h >= 1)) throw std::runtime_error("PDF page " + std::to_string(index + 1) + " has no size");
  if (w * h > static_cast<double>(max_pixels))
    throw std::runtime_error("PDF page " + std::to_string(index + 1) + " is " + std::to_string(std::lround(w)) + "x" +
                             std::to_string(std::lround(h)) + " pixels at " + std::to_string(dpi) +
                             " dpi, over the limit of " + std::to_string(max_pixels) + " (ingest.max_pixels)");
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

// libtiff's messages go to the debug log, not to stderr.
void tiff_message(const char* module, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  spdlog::debug("libtiff {}: {}", module ? module : "", buf);
}

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

TiffPtr open_tiff(const std::filesystem::path& file) {
  static const bool quiet = [] {
    TIFFSetErrorHandler(tiff_message);
    TIFFSetWarningHandler(tiff_message);
    return true;
  }();
  (void)quiet;
  TiffPtr tif(TIFFOpen(file.c_str(), "rm"));  // m: no memory mapping (a file cut short must not SIGBUS)
  if (!tif) throw std::runtime_error("not a readable TIFF");
  return tif;
}

// Where each page's IFD starts, in one pass over the chain (so reading page n later costs O(1),
// not a walk over the n pages before it). Refuses more than max_pages.
std::vector<std::uint64_t> tiff_directories(const std::filesystem::path& file, int max_pages) {
  auto tif = open_tiff(file);
  std::vector<std::uint64_t> dirs;
  do {
    if (static_cast<int>(dirs.size()) >= max_pages)
      throw std::runtime_error("TIFF has more than " + std::to_string(max_pages) +
                               " pages (ingest.max_pages_per_file)");
    dirs.push_back(TIFFCurrentDirOffset(tif.get()));
  } while (TIFFReadDirectory(tif.get()));
  return dirs;
}

// The current directory of `tif` as a grey PNG, refused over max_pixels before decoding.
std::string decode_tiff_directory(TIFF* tif, int number, long long max_pixels) {
  const std::string page = "TIFF page " + std::to_string(number);
  std::uint32_t w = 0, h = 0;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) || !w || !h)
    throw std::runtime_error(page + " has no size");
  if (static_cast<long long>(w) * h > max_pixels)
    throw std::runtime_error(page + " is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, over the limit of " +
                             std::to_string(max_pixels) + " (ingest.max_pixels)");
  std::vector<std::uint32_t> rgba(static_cast<std::size_t>(w) * h);
  if (!TIFFReadRGBAImageOriented(tif, w, h, rgba.data(), ORIENTATION_TOPLEFT, 1))
    throw std::runtime_error(page + " cannot be decoded (corrupt, cut short or an unsupported kind)");
  cv::Mat grey(static_cast<int>(h), static_cast<int>(w), CV_8UC1);
  for (std::uint32_t y = 0; y < h; ++y) {
    const std::uint32_t* row = rgba.data() + static_cast<std::size_t>(y) * w;
    auto* out = grey.ptr<uchar>(static_cast<int>(y));
    for (std::uint32_t x = 0; x < w; ++x) {
      const std::uint32_t p = row[x];
      out[x] = static_cast<uchar>((TIFFGetR(p) * 299 + TIFFGetG(p) * 587 + TIFFGetB(p) * 114 + 500) / 1000);
    }
  }
  return encode_png(grey);
}

std::string file_kind(std::filesystem::file_type t) {
  switch (t) {
    case std::filesystem::file_type::directory: return "a folder (batches are not read recursively)";
    case std::filesystem::file_type::fifo: return "a FIFO, not a file";
    case std::filesystem::file_type::socket: return "a socket, not a file";
    case std::filesystem::file_type::block: return "a block device, not a file";
    case std::filesystem::file_type::character: return "a character device, not a file";
    default: return "not a regular file";
  }
}

// A folder entry as a scan candidate: a regular file, or a symbolic link that stays inside the
// folder and leads to one (the policy: links are never followed out of the batch folder).
// Returns the path to read, or the reason it is skipped.
std::variant<std::filesystem::path, std::string> admit(const std::filesystem::path& folder,
                                                       const std::filesystem::directory_entry& entry) {
  std::error_code ec;
  const auto own = entry.symlink_status(ec);
  if (ec) return "cannot be examined: " + ec.message();
  if (std::filesystem::is_regular_file(own)) return entry.path();
  if (!std::filesystem::is_symlink(own)) return file_kind(own.type());
  const auto target = std::filesystem::canonical(entry.path(), ec);
  if (ec) {
    if (ec == std::errc::too_many_symbolic_link_levels) return std::string("a symbolic link loop");
    if (ec == std::errc::no_such_file_or_directory) return std::string("a dangling symbolic link");
    return "a symbolic link that cannot be resolved: " + ec.message();
  }
  const auto root = std::filesystem::canonical(folder, ec);
  if (ec) return "cannot be examined: " + ec.message();
  const auto rel = target.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return std::string("a symbolic link out of the batch folder (not followed)");
  const auto status = std::filesystem::status(target, ec);
  if (ec) return "cannot be examined: " + ec.message();
  if (!std::filesystem::is_regular_file(status)) return "a symbolic link to " + file_kind(status.type());
  return target;
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

// One open TIFF, positioned at its last page read: the next page is one TIFFReadDirectory away.
struct Ingest::TiffReader {
  std::mutex mutex;
  std::filesystem::path file;
  TiffPtr tif;
  int page = 0;  // 1-based page the handle is at

  TIFF* at(const PageSource& p) {
    if (!tif || file != p.file || p.source_page < page) {
      tif = open_tiff(p.file);  // at the first directory
      file = p.file;
      page = 1;
    }
    if (p.source_page == page + 1 && TIFFReadDirectory(tif.get())) ++page;
    if (p.source_page != page || TIFFCurrentDirOffset(tif.get()) != p.tiff_directory) {
      // A jump (a page dispatched again, say): libtiff walks the chain for it.
      if (!TIFFSetSubDirectory(tif.get(), p.tiff_directory)) {
        tif.reset();
        throw std::runtime_error("TIFF page " + std::to_string(p.source_page) + " cannot be found");
      }
      page = p.source_page;
    }
    return tif.get();
  }
};

Ingest::Ingest(IngestConfig config) : config_(std::move(config)), tiff_(std::make_unique<TiffReader>()) {}
Ingest::~Ingest() = default;

ScanBatch Ingest::enumerate(const std::vector<std::filesystem::path>& inputs) const {
  if (inputs.empty()) throw std::runtime_error("no input given");
  ScanBatch batch;
  struct Candidate {
    std::filesystem::path file;  // to read
    std::string raw_name;        // the name's bytes, for the batch key
  };
  std::vector<Candidate> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    const auto status = std::filesystem::status(input, ec);
    if (std::filesystem::is_directory(status)) {
      if (batch.input.empty()) batch.input = std::filesystem::absolute(input);
      std::vector<std::filesystem::directory_entry> found;
      std::filesystem::directory_iterator it(input, ec), end;
      if (ec) throw std::runtime_error(text::printable(input.string()) + ": cannot list the folder: " + ec.message());
      for (; it != end; it.increment(ec)) {
        if (ec) throw std::runtime_error(text::printable(input.string()) + ": cannot list the folder: " + ec.message());
        found.push_back(*it);
      }
      std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return text::natural_less(a.path().filename().string(), b.path().filename().string());
      });
      for (const auto& entry : found) {
        const auto name = entry.path().filename().string();
        if (name.empty() || name[0] == '.') continue;  // hidden: the scanner's temporary files
        auto admitted = admit(input, entry);
        if (auto* reason = std::get_if<std::string>(&admitted)) {
          batch.skipped.push_back({text::printable(name), *reason});
          continue;
        }
        files.push_back({std::filesystem::absolute(std::get<std::filesystem::path>(admitted)), name});
      }
    } else if (std::filesystem::is_regular_file(status)) {
      // A file named on the command line is the user's choice: a link to it is followed.
      if (batch.input.empty()) batch.input = std::filesystem::absolute(input);
      files.push_back({std::filesystem::absolute(input), input.filename().string()});
    } else if (std::filesystem::exists(status)) {
      batch.skipped.push_back({text::printable(input.string()), file_kind(status.type())});
    } else {
      throw std::runtime_error(text::printable(input.string()) + ": no such file or directory");
    }
  }

  std::string batch_key;
  for (const auto& [file, raw_name] : files) {
    const std::string relative = text::printable(raw_name);
    auto ext = std::filesystem::path(raw_name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::find(config_.extensions.begin(), config_.extensions.end(), ext) == config_.extensions.end()) {
      batch.skipped.push_back({relative, "not a scan file"});
      continue;
    }
    PageSource base;
    base.file = file;
    base.relative = relative;
    std::string file_hash;
    std::vector<std::uint64_t> tiff_dirs{0};
    int pages = 1;
    try {
      file_hash = sha256_file_hex(file);
      if (std::filesystem::file_size(file) == 0) throw std::runtime_error("file is empty");
      base.format = sniff_format(read_head(file));
      if (base.format == "unknown") throw std::runtime_error("not a PNG, JPEG, TIFF, WebP or PDF file");
      if (base.format == "pdf") {
        pages = open_pdf(file)->pages();
        if (pages <= 0) throw std::runtime_error("PDF has no pages");
        if (pages > config_.max_pages_per_file)
          throw std::runtime_error("PDF has " + std::to_string(pages) + " pages, over the limit of " +
                                   std::to_string(config_.max_pages_per_file) + " (ingest.max_pages_per_file)");
      } else if (base.format == "tiff") {
        tiff_dirs = tiff_directories(file, config_.max_pages_per_file);
        pages = static_cast<int>(tiff_dirs.size());
      }
    } catch (const std::exception& e) {
      base.error = e.what();
      pages = 1;
      tiff_dirs = {0};
      if (file_hash.empty()) file_hash = sha256_hex(raw_name);
    }
    batch_key += raw_name + '\0' + file_hash + '\n';
    for (int i = 1; i <= pages; ++i) {
      PageSource p = base;
      p.number = static_cast<int>(batch.pages.size()) + 1;
      p.source_page = i;
      if (base.format == "tiff" && !base.error) p.tiff_directory = tiff_dirs[static_cast<std::size_t>(i - 1)];
      p.content_hash = sha256_hex(file_hash + "#" + std::to_string(i));
      batch.pages.push_back(std::move(p));
    }
  }
  if (batch.pages.empty()) throw std::runtime_error(text::printable(batch.input.string()) + ": holds no scan files");
  batch.batch_id = "b" + sha256_hex(batch_key).substr(0, 16);
  return batch;
}

std::string Ingest::load(const PageSource& page) const {
  if (page.error) throw std::runtime_error(*page.error);
  if (page.format == "pdf")
    return render_pdf_page(page.file, page.source_page - 1, config_.pdf_dpi, config_.max_pixels);
  if (page.format == "tiff") {
    std::lock_guard<std::mutex> lock(tiff_->mutex);
    TIFF* tif = tiff_->at(page);
    return decode_tiff_directory(tif, page.source_page, config_.max_pixels);
  }
  std::string bytes = read_file(page.file, config_.max_file_bytes);
  if (sha256_hex(sha256_hex(bytes) + "#" + std::to_string(page.source_page)) != page.content_hash)
    throw std::runtime_error("file changed since the batch was listed");
  return bytes;
}

}  // namespace intake
