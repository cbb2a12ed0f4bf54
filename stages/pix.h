// Conversions between OpenCV 8-bit grey images and Leptonica PIX, owning PIX pointers.
#pragma once

#include <memory>

#include <leptonica/allheaders.h>
#include <opencv2/core.hpp>

namespace intake {

struct PixDeleter {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

PixPtr pix_from_grey(const cv::Mat& grey);  // CV_8UC1 -> 8 bpp PIX
cv::Mat grey_from_pix(PIX* pix);            // 1 or 8 bpp PIX -> CV_8UC1 (1 bpp: black 0, white 255)

}  // namespace intake
