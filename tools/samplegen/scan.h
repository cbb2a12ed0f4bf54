// Scanning a drawn page: a 180° turn for a sheet fed upside down, a small skew with white
// fill at the borders, optional slight blur, sensor noise — and the check that every barcode
// drawn on a page still decodes from the final image.
#pragma once

#include "render.h"
#include "rng.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace samplegen {

struct ScanStyle {
    bool upsideDown = false;
    double skewDeg = 0.0;   // counter-clockwise, degrees
    double blurSigma = 0.0; // 0: no blur
    double noiseSigma = 4.0;
    int grain = 1;          // noise cell size in px: 1 = independent per pixel
};

cv::Mat scan(const cv::Mat& grey, const ScanStyle& style, Rng& rng);

// Throws std::runtime_error naming `what` unless every expected barcode (format and text) is
// decoded by ZXing from the image.
void verifyBarcodes(const cv::Mat& grey, const std::vector<Barcode>& expected, const std::string& what);

// For each expected barcode, whether ZXing decodes it (format and text) from the image, which
// is turned upright first by `rotation` (clockwise degrees, 0/90/180/270). Never throws on a
// failed read.
std::vector<bool> readableBarcodes(const cv::Mat& grey, const std::vector<Barcode>& expected, int rotation);

} // namespace samplegen
