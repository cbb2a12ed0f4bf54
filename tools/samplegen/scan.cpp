#include "scan.h"

#include <ZXing/ReadBarcode.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace samplegen {

cv::Mat scan(const cv::Mat& grey, const ScanStyle& style, Rng& rng)
{
    cv::Mat page = grey.clone();
    if (style.upsideDown)
        cv::rotate(page, page, cv::ROTATE_180);
    if (style.skewDeg != 0.0) {
        const cv::Point2f centre(page.cols / 2.0f, page.rows / 2.0f);
        const cv::Mat m = cv::getRotationMatrix2D(centre, style.skewDeg, 1.0);
        cv::Mat skewed;
        cv::warpAffine(page, skewed, m, page.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
        page = skewed;
    }
    if (style.blurSigma > 0.0)
        cv::GaussianBlur(page, page, cv::Size(0, 0), style.blurSigma);
    if (style.noiseSigma > 0.0) {
        const int g = std::max(1, style.grain);
        const int cellsX = (page.cols + g - 1) / g;
        std::vector<int> row(static_cast<std::size_t>(cellsX));
        for (int y = 0; y < page.rows; ++y) {
            if (y % g == 0)
                for (int& n : row)
                    n = static_cast<int>(std::lround(rng.normal() * style.noiseSigma));
            auto* p = page.ptr<uchar>(y);
            for (int x = 0; x < page.cols; ++x)
                p[x] = static_cast<uchar>(std::clamp(p[x] + row[static_cast<std::size_t>(x / g)], 0, 255));
        }
    }
    return page;
}

namespace {

ZXing::Results readExpected(const cv::Mat& grey, const std::vector<Barcode>& expected)
{
    CV_Assert(grey.type() == CV_8UC1 && grey.isContinuous());
    // One read per format, asking for exactly as many symbols as were drawn: with more allowed,
    // Debian's ZXing 1.4 aborts (assert lineCount() == 1 in Result::operator==) when it finds a
    // skewed Code128 twice and tries to merge the two reads.
    ZXing::Results results;
    for (const ZXing::BarcodeFormat format : {ZXing::BarcodeFormat::Code128, ZXing::BarcodeFormat::QRCode}) {
        const auto count = std::count_if(expected.begin(), expected.end(),
                                         [&](const Barcode& b) { return b.format == ZXing::ToString(format); });
        if (count == 0)
            continue;
        ZXing::DecodeHints hints;
        hints.setFormats(format);
        hints.setTryHarder(true);
        hints.setTryRotate(false); // the pages carrying barcodes are upright
        hints.setMaxNumberOfSymbols(static_cast<std::uint8_t>(count));
        const ZXing::Results found =
            ZXing::ReadBarcodes(ZXing::ImageView(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum), hints);
        results.insert(results.end(), found.begin(), found.end());
    }
    return results;
}

} // namespace

std::vector<bool> readableBarcodes(const cv::Mat& grey, const std::vector<Barcode>& expected, int rotation)
{
    std::vector<bool> out;
    if (expected.empty())
        return out;
    cv::Mat upright = grey;
    if (rotation == 90)
        cv::rotate(grey, upright, cv::ROTATE_90_CLOCKWISE);
    else if (rotation == 180)
        cv::rotate(grey, upright, cv::ROTATE_180);
    else if (rotation == 270)
        cv::rotate(grey, upright, cv::ROTATE_90_COUNTERCLOCKWISE);
    if (!upright.isContinuous())
        upright = upright.clone();
    const ZXing::Results results = readExpected(upright, expected);
    for (const Barcode& b : expected)
        out.push_back(std::any_of(results.begin(), results.end(), [&](const ZXing::Result& r) {
            return r.isValid() && ZXing::ToString(r.format()) == b.format && r.text() == b.text;
        }));
    return out;
}

void verifyBarcodes(const cv::Mat& grey, const std::vector<Barcode>& expected, const std::string& what)
{
    if (expected.empty())
        return;
    const ZXing::Results results = readExpected(grey, expected);
    for (const Barcode& b : expected) {
        const bool found = std::any_of(results.begin(), results.end(), [&](const ZXing::Result& r) {
            return r.isValid() && ZXing::ToString(r.format()) == b.format && r.text() == b.text;
        });
        if (!found) {
            std::string got;
            for (const auto& r : results)
                got += std::string(" [") + ZXing::ToString(r.format()) + " '" + r.text() + "']";
            throw std::runtime_error(what + ": barcode " + b.format + " '" + b.text + "' does not decode; read:" +
                                     (got.empty() ? " nothing" : got));
        }
    }
}

} // namespace samplegen
