#include "degrade.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace samplegen::corpus {

namespace {

double uniformReal(Rng& rng, double lo, double hi, int steps = 1000)
{
    return lo + (hi - lo) * rng.uniform(0, steps) / steps;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

template <typename T>
T weighted(Rng& rng, const std::vector<std::pair<T, int>>& options)
{
    int total = 0;
    for (const auto& o : options)
        total += o.second;
    int r = rng.uniform(0, total - 1);
    for (const auto& o : options) {
        if (r < o.second)
            return o.first;
        r -= o.second;
    }
    return options.back().first;
}

bool lossy(FileFormat f) { return f == FileFormat::Jpeg || f == FileFormat::Pdf || f == FileFormat::Webp; }

// Multiplies every row y of m by row[y] (1 or 3 channels).
void multiplyRows(cv::Mat& m, const std::vector<float>& row)
{
    for (int y = 0; y < m.rows; ++y) {
        const float k = row[static_cast<std::size_t>(y)];
        if (k == 1.0f)
            continue;
        auto* p = m.ptr<uchar>(y);
        for (int x = 0; x < m.cols * m.channels(); ++x)
            p[x] = cv::saturate_cast<uchar>(p[x] * k);
    }
}

void folds(cv::Mat& m, int count, double scale, Rng& rng)
{
    std::vector<float> row(static_cast<std::size_t>(m.rows), 1.0f);
    for (int k = 0; k < count; ++k) {
        const double y0 = m.rows * (k + 1) / 3.0 + uniformReal(rng, -0.03, 0.03) * m.rows;
        const double depth = uniformReal(rng, 0.06, 0.22), w = uniformReal(rng, 1.5, 3.5) * scale;
        for (int y = 0; y < m.rows; ++y) {
            const double d = (y - y0) / w;
            const double lit = (y - y0 - 2.5 * w) / (2.5 * w);
            row[static_cast<std::size_t>(y)] *= static_cast<float>(1.0 - depth * std::exp(-d * d) + 0.04 * std::exp(-lit * lit));
        }
    }
    multiplyRows(m, row);
}

// Coffee rings and blotches: a blurred ring (and sometimes a wash inside) multiplied in.
void stains(cv::Mat& m, int count, double scale, Rng& rng)
{
    for (int k = 0; k < count; ++k) {
        const int r = static_cast<int>(uniformReal(rng, 60, 180) * scale);
        const cv::Point c(rng.uniform(r, std::max(r + 1, m.cols - r)), rng.uniform(r, std::max(r + 1, m.rows - r)));
        const cv::Rect box = cv::Rect(c.x - r - 20, c.y - r - 20, 2 * r + 40, 2 * r + 40) & cv::Rect(0, 0, m.cols, m.rows);
        cv::Mat alpha(box.size(), CV_32F, cv::Scalar(0));
        const cv::Point lc(c.x - box.x, c.y - box.y);
        const double strength = uniformReal(rng, 0.15, 0.4);
        if (rng.chance(60)) // ring
            cv::ellipse(alpha, lc, {r, r * rng.uniform(85, 100) / 100}, rng.uniform(0, 180), 0, 360, cv::Scalar(strength),
                        std::max(2, static_cast<int>(5 * scale)), cv::LINE_AA);
        cv::ellipse(alpha, lc, {r * 9 / 10, r * rng.uniform(60, 90) / 100}, rng.uniform(0, 180), 0, 360,
                    cv::Scalar(strength * uniformReal(rng, 0.2, 0.5)), cv::FILLED, cv::LINE_AA);
        cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 3.0 * scale);
        const double tint[3] = {0.45, 0.68, 0.85}; // brown: B, G, R reflectance
        const double greyTint = 0.114 * tint[0] + 0.587 * tint[1] + 0.299 * tint[2];
        cv::Mat roi = m(box);
        for (int y = 0; y < roi.rows; ++y) {
            auto* p = roi.ptr<uchar>(y);
            const float* a = alpha.ptr<float>(y);
            for (int x = 0; x < roi.cols; ++x)
                for (int ch = 0; ch < roi.channels(); ++ch) {
                    const double t = roi.channels() == 1 ? greyTint : tint[ch];
                    uchar& v = p[x * roi.channels() + ch];
                    v = cv::saturate_cast<uchar>(v * (1.0 - a[x] * (1.0 - t)));
                }
        }
    }
}

// Lamp falloff along a random direction plus a shadow along one edge.
void unevenLight(cv::Mat& m, double amount, Rng& rng)
{
    cv::Mat field(64, 64, CV_32F);
    const double angle = uniformReal(rng, 0, 2 * CV_PI);
    const int edge = rng.uniform(0, 3);
    const double share = uniformReal(rng, 0.3, 0.7);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
            const double u = x / 63.0, v = y / 63.0;
            const double ramp = 0.5 + 0.5 * ((u - 0.5) * std::cos(angle) + (v - 0.5) * std::sin(angle)) * 1.41;
            const double d = edge == 0 ? u : edge == 1 ? 1 - u : edge == 2 ? v : 1 - v;
            const double shadow = std::exp(-d / 0.08);
            field.at<float>(y, x) = static_cast<float>(1.0 - amount * ((1 - share) * std::clamp(ramp, 0.0, 1.0) + share * shadow));
        }
    cv::Mat big;
    cv::resize(field, big, m.size(), 0, 0, cv::INTER_LINEAR);
    for (int y = 0; y < m.rows; ++y) {
        auto* p = m.ptr<uchar>(y);
        const float* f = big.ptr<float>(y);
        for (int x = 0; x < m.cols; ++x)
            for (int ch = 0; ch < m.channels(); ++ch)
                p[x * m.channels() + ch] = cv::saturate_cast<uchar>(p[x * m.channels() + ch] * f[x]);
    }
}

void noise(cv::Mat& m, double sigma, int grain, Rng& rng)
{
    const int g = std::max(1, grain);
    const int cellsX = (m.cols + g - 1) / g;
    std::vector<int> row(static_cast<std::size_t>(cellsX));
    const int ch = m.channels();
    for (int y = 0; y < m.rows; ++y) {
        if (y % g == 0)
            for (int& n : row)
                n = static_cast<int>(std::lround(rng.normal() * sigma));
        auto* p = m.ptr<uchar>(y);
        for (int x = 0; x < m.cols; ++x) {
            const int n = row[static_cast<std::size_t>(x / g)];
            for (int c = 0; c < ch; ++c)
                p[x * ch + c] = static_cast<uchar>(std::clamp(p[x * ch + c] + n, 0, 255));
        }
    }
}

// A per-mille percentile of the grey levels of a subsample: the 600th is the paper (most of a
// page is paper), the darkest few the ink.
int percentile(const cv::Mat& m, int perMille)
{
    long hist[256] = {};
    long n = 0;
    for (int y = 0; y < m.rows; y += 4) {
        const uchar* p = m.ptr<uchar>(y);
        for (int x = 0; x < m.cols; x += 4, ++n) {
            const uchar* q = p + x * m.channels();
            ++hist[m.channels() == 1 ? q[0] : (q[0] * 29 + q[1] * 150 + q[2] * 77) >> 8];
        }
    }
    long acc = 0;
    for (int v = 0; v < 256; ++v)
        if ((acc += hist[v]) * 1000 >= n * perMille)
            return v;
    return 255;
}

} // namespace

Profile parseProfile(const std::string& name)
{
    if (name == "clean")
        return Profile::Clean;
    if (name == "standard")
        return Profile::Standard;
    if (name == "hard")
        return Profile::Hard;
    throw std::invalid_argument("unknown profile '" + name + "' (clean, standard or hard)");
}

std::string profileName(Profile p)
{
    return p == Profile::Clean ? "clean" : p == Profile::Standard ? "standard" : "hard";
}

int sampleDpi(Profile p, Rng& rng)
{
    if (p == Profile::Clean)
        return 300;
    if (p == Profile::Standard)
        return weighted<int>(rng, {{200, 40}, {240, 15}, {300, 45}});
    return weighted<int>(rng, {{150, 20}, {200, 35}, {300, 30}, {400, 15}});
}

FileSettings sampleFile(Profile p, Rng& rng, bool multiPage, bool envelope, int dpi)
{
    FileSettings f;
    using F = FileFormat;
    if (multiPage) {
        f.format = rng.chance(p == Profile::Clean ? 50 : 28) ? F::Tiff : F::Pdf;
    } else if (p == Profile::Clean) {
        f.format = weighted<F>(rng, {{F::Png, 45}, {F::Jpeg, 40}, {F::Webp, 15}});
    } else {
        f.format = weighted<F>(rng, {{F::Png, 20}, {F::Jpeg, 62}, {F::Webp, 18}});
    }
    f.dpi = dpi;
    const bool isLossy = lossy(f.format);
    const int colour = envelope ? 45 : p == Profile::Clean ? 20 : 25;
    const int bw = p == Profile::Clean ? 10 : p == Profile::Standard ? 15 : 20;
    if (isLossy && f.dpi <= 300 && rng.chance(colour))
        f.mode = "colour";
    else if (!isLossy && !envelope && rng.chance(bw * 2))
        f.mode = "bw";
    if (isLossy)
        f.quality = p == Profile::Clean ? rng.uniform(85, 95) : p == Profile::Standard ? rng.uniform(60, 90) : rng.uniform(35, 75);
    f.backgroundRemoval = f.mode != "bw" && rng.chance(p == Profile::Clean ? 70 : p == Profile::Standard ? 45 : 25);
    return f;
}

PageScan samplePage(Profile p, const FileSettings& f, Rng& rng, bool allowRotation)
{
    PageScan s;
    const double scale = f.dpi / 200.0;
    const int rotate = p == Profile::Clean ? 0 : p == Profile::Standard ? 5 : 15;
    if (allowRotation && rng.chance(rotate))
        s.rotation = weighted<int>(rng, {{180, 60}, {90, 20}, {270, 20}});
    const double maxSkew = p == Profile::Clean ? 0.5 : p == Profile::Standard ? 3.0 : 8.0;
    s.skewDeg = round2(uniformReal(rng, -maxSkew, maxSkew, 2000));
    s.grain = lossy(f.format) ? 1 : std::max(2, static_cast<int>(std::lround(2 * scale)));
    if (p == Profile::Clean) {
        s.noiseSigma = round2(uniformReal(rng, 1.5, 2.5));
    } else if (p == Profile::Standard) {
        s.noiseSigma = round2(uniformReal(rng, 3.0, 6.0));
        if (rng.chance(30))
            s.blurSigma = round2(uniformReal(rng, 0.4, 1.0) * scale);
        if (rng.chance(15))
            s.inkFloor = rng.uniform(30, 60), s.paperCeil = rng.uniform(235, 250);
        if (rng.chance(30))
            s.unevenLight = round2(uniformReal(rng, 0.05, 0.15));
        if (rng.chance(20))
            s.folds = rng.uniform(1, 2);
        if (rng.chance(3))
            s.stains = 1;
        if (rng.chance(20))
            s.border = rng.uniform(225, 240);
    } else {
        s.noiseSigma = round2(uniformReal(rng, 6.0, 12.0));
        if (rng.chance(60))
            s.blurSigma = round2(uniformReal(rng, 0.8, 1.8) * scale);
        if (rng.chance(40))
            s.inkFloor = rng.uniform(60, 110), s.paperCeil = rng.uniform(200, 230);
        if (rng.chance(60))
            s.unevenLight = round2(uniformReal(rng, 0.10, 0.30));
        if (rng.chance(45))
            s.folds = rng.uniform(1, 2);
        if (rng.chance(20))
            s.stains = rng.uniform(1, 2);
        if (rng.chance(30))
            s.border = rng.uniform(25, 60);
    }
    if (f.mode == "bw") // hard: thresholds set too low (strokes break) or too high (blotches)
        s.bwFraction = p == Profile::Clean ? uniformReal(rng, 0.45, 0.55) : p == Profile::Standard ? uniformReal(rng, 0.35, 0.65)
                                                                          : uniformReal(rng, 0.22, 0.78);
    if (f.backgroundRemoval)
        s.whiteMargin = static_cast<int>(2.5 * s.noiseSigma) + rng.uniform(3, 10);
    s.seed = rng.bits();
    return s;
}

cv::Mat applyScan(const cv::Mat& bgr, PageScan& s, const FileSettings& f)
{
    Rng rng(s.seed);
    const double scale = f.dpi / 200.0;
    cv::Mat page;
    if (f.mode == "colour")
        page = bgr.clone();
    else
        cv::cvtColor(bgr, page, cv::COLOR_BGR2GRAY);
    // the sheet itself
    if (s.folds > 0)
        folds(page, s.folds, scale, rng);
    if (s.stains > 0)
        stains(page, s.stains, scale, rng);
    // fed turned and skewed
    if (s.rotation == 90)
        cv::rotate(page, page, cv::ROTATE_90_COUNTERCLOCKWISE);
    else if (s.rotation == 180)
        cv::rotate(page, page, cv::ROTATE_180);
    else if (s.rotation == 270)
        cv::rotate(page, page, cv::ROTATE_90_CLOCKWISE);
    if (s.skewDeg != 0.0) {
        const double a = s.skewDeg * CV_PI / 180.0;
        const int w = static_cast<int>(std::ceil(page.cols * std::abs(std::cos(a)) + page.rows * std::abs(std::sin(a))));
        const int h = static_cast<int>(std::ceil(page.cols * std::abs(std::sin(a)) + page.rows * std::abs(std::cos(a))));
        cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(page.cols / 2.0f, page.rows / 2.0f), s.skewDeg, 1.0);
        m.at<double>(0, 2) += (w - page.cols) / 2.0;
        m.at<double>(1, 2) += (h - page.rows) / 2.0;
        cv::Mat out;
        cv::warpAffine(page, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(s.border));
        page = out;
    }
    // the scanner
    if (s.unevenLight > 0)
        unevenLight(page, s.unevenLight, rng);
    if (s.inkFloor > 0 || s.paperCeil < 255)
        page.convertTo(page, -1, (s.paperCeil - s.inkFloor) / 255.0, s.inkFloor);
    if (s.blurSigma > 0)
        cv::GaussianBlur(page, page, cv::Size(0, 0), s.blurSigma);
    const int paper = percentile(page, 600);
    if (s.noiseSigma > 0)
        noise(page, s.noiseSigma, s.grain, rng);
    s.whiteLevel = 0;
    if (s.whiteMargin > 0 && paper - s.whiteMargin > 64) {
        s.whiteLevel = paper - s.whiteMargin;
        page.convertTo(page, -1, 255.0 / s.whiteLevel, 0);
    }
    s.bwThreshold = 0;
    if (f.mode == "bw") {
        // The scanner's threshold sits between its paper and its ink, not the page's darkest
        // 1.5%: on a sparse page (a signature page, a blank back with show-through) those are
        // paper and noise, and a threshold there turns the sheet into pepper. Ink is the darkest
        // 0.2%, and never lighter than a faint stroke.
        const int strokes = std::min(percentile(page, 2), 80);
        s.bwThreshold = strokes + static_cast<int>(std::lround((paper - strokes) * s.bwFraction));
        cv::threshold(page, page, s.bwThreshold, 255, cv::THRESH_BINARY);
    }
    return page;
}

nlohmann::ordered_json describe(const PageScan& s, const FileSettings& f, const cv::Size& pixels)
{
    using Json = nlohmann::ordered_json;
    const char* format = f.format == FileFormat::Png ? "png" : f.format == FileFormat::Jpeg ? "jpeg"
                       : f.format == FileFormat::Webp ? "webp" : f.format == FileFormat::Tiff ? "tiff" : "pdf";
    const double blur200 = s.blurSigma / (f.dpi / 200.0);
    std::string quality = "lossless";
    if (f.quality > 0)
        quality = std::string(f.format == FileFormat::Webp ? "webp" : "jpeg") +
                  (f.quality >= 85 ? "_q85-100" : f.quality >= 60 ? "_q60-84" : "_q35-59");
    Json applied = {{"width_px", pixels.width},
                    {"height_px", pixels.height},
                    {"skew_deg", round2(s.skewDeg)},
                    {"noise_sigma", round2(s.noiseSigma)},
                    {"noise_grain_px", s.grain},
                    {"blur_sigma_px", round2(s.blurSigma)},
                    {"jpeg_quality", f.quality > 0 && f.format != FileFormat::Webp ? Json(f.quality) : Json(nullptr)},
                    {"webp_quality", f.quality > 0 && f.format == FileFormat::Webp ? Json(f.quality) : Json(nullptr)},
                    {"ink_floor", s.inkFloor},
                    {"paper_ceil", s.paperCeil},
                    {"uneven_light", round2(s.unevenLight)},
                    {"folds", s.folds},
                    {"stains", s.stains},
                    {"border_grey", s.border},
                    {"bw_threshold", f.mode == "bw" ? Json(s.bwThreshold) : Json(nullptr)},
                    {"bw_fraction", f.mode == "bw" ? Json(round2(s.bwFraction)) : Json(nullptr)},
                    {"white_level", s.whiteLevel > 0 ? Json(s.whiteLevel) : Json(nullptr)},
                    {"seed", s.seed}};
    return {{"format", format},
            {"dpi", f.dpi},
            {"mode", f.mode},
            {"quality", quality},
            {"rotation", s.rotation},
            {"skew_deg", round2(s.skewDeg)},
            {"noise", s.noiseSigma < 3 ? "light" : s.noiseSigma < 7 ? "medium" : "strong"},
            {"blur", s.blurSigma == 0 ? "none" : blur200 < 1.0 ? "mild" : "strong"},
            {"contrast", s.inkFloor == 0 && s.paperCeil == 255 ? "normal" : s.inkFloor < 60 ? "reduced" : "low"},
            {"uneven_light", s.unevenLight > 0},
            {"folds", s.folds > 0},
            {"stains", s.stains > 0},
            {"border", s.border >= 200 ? "white" : "dark"},
            {"background_removal", f.backgroundRemoval},
            {"applied", applied}};
}

} // namespace samplegen::corpus
