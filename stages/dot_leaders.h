// Dotted leaders: the "........" / "……" runs that Vietnamese forms put after every field label.
// Tesseract reads them as digit garbage that corrupts the value next to them (an ID number, a
// year), so they are erased before OCR. A leader is a horizontal chain of at least four small,
// evenly spaced, isolated dots on one baseline; a dot under or over a letter (Vietnamese
// diacritics such as "ạ", "ộ") is not isolated and is never erased. Pure, thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace intake {

struct LeaderRemoval {
  cv::Mat cleaned;  // the input grey image with the leader dots painted as paper
  int chains = 0;   // leaders found
  int dots = 0;     // dots erased
};

LeaderRemoval remove_dot_leaders(const cv::Mat& grey);

}  // namespace intake
