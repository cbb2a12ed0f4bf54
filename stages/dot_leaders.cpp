#include "stages/dot_leaders.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace intake {
namespace {

struct Box {
  int x, y, w, h, label;
  double cx() const { return x + w / 2.0; }
  double cy() const { return y + h / 2.0; }
};

}  // namespace

LeaderRemoval remove_dot_leaders(const cv::Mat& grey) {
  CV_Assert(grey.type() == CV_8UC1);
  LeaderRemoval out{grey.clone()};
  cv::Mat ink;
  cv::threshold(grey, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);

  std::vector<Box> all;
  std::vector<int> heights;
  for (int i = 1; i < n; ++i) {
    Box b{stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
          stats.at<int>(i, cv::CC_STAT_HEIGHT), i};
    all.push_back(b);
    if (b.h >= 8 && b.h <= grey.rows / 10) heights.push_back(b.h);
  }
  if (heights.size() < 10) return out;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const double text_h = std::max(8, heights[heights.size() / 2]);  // a typical letter's height

  auto is_dot = [&](const Box& b) {
    const double aspect = static_cast<double>(b.w) / b.h;
    return b.w <= 0.4 * text_h && b.h <= 0.4 * text_h && b.w >= 1 && aspect > 0.3 && aspect < 3.0;
  };
  std::vector<Box> dots, letters;
  for (const auto& b : all) (is_dot(b) ? dots : letters).push_back(b);

  // A dot is free when no letter sits right above or below it (diacritics are not).
  std::sort(letters.begin(), letters.end(), [](const Box& a, const Box& b) { return a.x < b.x; });
  auto free_dot = [&](const Box& d) {
    const double top = d.y - 0.6 * text_h, bottom = d.y + d.h + 0.6 * text_h;
    auto it = std::lower_bound(letters.begin(), letters.end(), d.x - static_cast<int>(3 * text_h),
                               [](const Box& l, int x) { return l.x < x; });
    for (; it != letters.end() && it->x <= d.x + d.w; ++it) {
      if (it->x + it->w < d.x) continue;
      if (it->y + it->h >= top && it->y <= bottom) return false;
    }
    return true;
  };
  std::vector<Box> candidates;
  for (const auto& d : dots)
    if (free_dot(d)) candidates.push_back(d);

  // Chain free dots left to right along a baseline.
  std::sort(candidates.begin(), candidates.end(), [](const Box& a, const Box& b) { return a.x < b.x; });
  std::vector<bool> used(candidates.size(), false);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (used[i]) continue;
    std::vector<std::size_t> chain{i};
    std::size_t cur = i;
    while (true) {
      std::size_t best = candidates.size();
      double best_dx = 1e9;
      for (std::size_t j = cur + 1; j < candidates.size(); ++j) {
        const double dx = candidates[j].cx() - candidates[cur].cx();
        if (dx > 1.6 * text_h) break;
        if (used[j] || dx <= 0) continue;
        if (std::abs(candidates[j].cy() - candidates[cur].cy()) > 0.2 * text_h) continue;
        if (dx < best_dx) best_dx = dx, best = j;
      }
      if (best == candidates.size()) break;
      chain.push_back(best);
      cur = best;
    }
    if (chain.size() < 4) continue;
    // Evenly spaced: gaps within a factor of two of their median.
    std::vector<double> gaps;
    for (std::size_t k = 1; k < chain.size(); ++k) gaps.push_back(candidates[chain[k]].cx() - candidates[chain[k - 1]].cx());
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    const auto uneven = std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g > 2 * median || g < median / 2; });
    if (uneven * 4 > static_cast<long>(gaps.size())) continue;
    ++out.chains;
    for (std::size_t k : chain) {
      used[k] = true;
      const Box& d = candidates[k];
      const cv::Rect r = cv::Rect(d.x - 1, d.y - 1, d.w + 2, d.h + 2) & cv::Rect(0, 0, grey.cols, grey.rows);
      out.cleaned(r).setTo(255, ink(r));
      ++out.dots;
    }
  }
  return out;
}

}  // namespace intake
