#include "pipeline/web/rendition.h"

#include <algorithm>

#include <fmt/core.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "stages/preprocess.h"

namespace intake::web {

Renditions::Renditions(IngestConfig ingest, std::size_t cache_entries)
    : ingest_(std::move(ingest)), capacity_(cache_entries) {}

const PageSource& Renditions::source(const std::filesystem::path& input, int number) {
  auto it = batches_.find(input.string());
  if (it == batches_.end()) it = batches_.emplace(input.string(), ingest_.enumerate({input})).first;
  for (const auto& p : it->second.pages)
    if (p.number == number) return p;
  throw std::runtime_error(fmt::format("page {} is not in {}", number, input.string()));
}

Rendition Renditions::render(const std::filesystem::path& input, int number, int rotation, double skew_deg, int width) {
  width = std::clamp(width, 64, 2400);
  const std::string key = fmt::format("{}\n{}\n{}\n{:.3f}\n{}", input.string(), number, rotation, skew_deg, width);
  PageSource page;
  {
    std::lock_guard lock(mutex_);
    for (auto it = recent_.begin(); it != recent_.end(); ++it)
      if (it->first == key) {
        recent_.splice(recent_.begin(), recent_, it);
        return recent_.front().second;
      }
    page = source(input, number);
  }
  if (page.error) throw std::runtime_error(*page.error);
  cv::Mat grey = decode_grey(ingest_.load(page), 400'000'000);
  grey = rotate_deg(turn_clockwise(grey, rotation), skew_deg);
  Rendition r;
  r.scale = std::min(1.0, static_cast<double>(width) / grey.cols);
  cv::Mat small = grey;
  if (r.scale < 1.0) cv::resize(grey, small, {}, r.scale, r.scale, cv::INTER_AREA);
  r.width = small.cols;
  r.height = small.rows;
  std::vector<uchar> bytes;
  cv::imencode(".jpg", small, bytes, {cv::IMWRITE_JPEG_QUALITY, 82});
  r.jpeg.assign(bytes.begin(), bytes.end());
  std::lock_guard lock(mutex_);
  recent_.emplace_front(key, r);
  if (recent_.size() > capacity_) recent_.pop_back();
  return r;
}

}  // namespace intake::web
