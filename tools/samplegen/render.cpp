#include "render.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace samplegen {

namespace {

const char* fontPath(Font f)
{
    switch (f) {
    case Font::Sans: return "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    case Font::SansBold: return "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    case Font::Serif: return "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
    case Font::SerifBold: return "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";
    case Font::SerifItalic: return "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf";
    case Font::SansCondensed: return "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf";
    case Font::SansCondensedBold: return "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf";
    case Font::Mono: return "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
    case Font::MonoBold: return "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf";
    case Font::NotoSans: return "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    case Font::NotoSansBold: return "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";
    case Font::NotoSerif: return "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf";
    case Font::NotoSerifBold: return "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf";
    case Font::NotoSerifItalic: return "/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf";
    }
    throw std::logic_error("unknown font");
}

constexpr std::size_t kFonts = static_cast<std::size_t>(Font::NotoSerifItalic) + 1;

// The faces, loaded on first use, one set per thread (FreeType faces are not thread-safe).
cv::freetype::FreeType2& face(Font f)
{
    thread_local std::array<cv::Ptr<cv::freetype::FreeType2>, kFonts> faces;
    auto& slot = faces[static_cast<std::size_t>(f)];
    if (!slot) {
        slot = cv::freetype::createFreeType2();
        slot->loadFontData(fontPath(f), 0);
    }
    return *slot;
}

// UTF-8 to UTF-32 code points in a std::wstring (wchar_t is 32 bits on Linux).
std::wstring widen(const std::string& utf8)
{
    std::wstring out;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        const int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > utf8.size())
            throw std::invalid_argument("invalid UTF-8 in barcode text");
        char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (int k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]);
            if ((c >> 6) != 0x2)
                throw std::invalid_argument("invalid UTF-8 in barcode text");
            cp = (cp << 6) | (c & 0x3Fu);
        }
        out.push_back(static_cast<wchar_t>(cp));
        i += static_cast<std::size_t>(len);
    }
    return out;
}

// One row of Code128 modules (true = bar), no quiet zone.
std::vector<bool> code128Modules(const std::string& text)
{
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::Code128);
    writer.setMargin(0);
    const ZXing::BitMatrix bm = writer.encode(text, 1, 1);
    std::vector<bool> modules(static_cast<std::size_t>(bm.width()));
    for (int x = 0; x < bm.width(); ++x)
        modules[static_cast<std::size_t>(x)] = bm.get(x, 0);
    return modules;
}

ZXing::BitMatrix qrModules(const std::string& utf8)
{
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    writer.setEncoding(ZXing::CharacterSet::UTF8).setMargin(0);
    return writer.encode(widen(utf8), 1, 1); // 1 px per module
}

} // namespace

namespace {

// Pixels at scale s for a length in layout units (identity at scale 1).
int sc(int v, double s) { return s == 1.0 ? v : static_cast<int>(std::lround(v * s)); }
cv::Point sc(cv::Point p, double s) { return {sc(p.x, s), sc(p.y, s)}; }
cv::Rect sc(cv::Rect r, double s) { return {sc(r.x, s), sc(r.y, s), sc(r.width, s), sc(r.height, s)}; }
// Line thickness at scale s: FILLED (< 0) stays, others never drop below one pixel.
int thick(int t, double s) { return t < 0 || s == 1.0 ? t : std::max(1, static_cast<int>(std::lround(t * s))); }

// a *= b / 255 where they overlap, b placed with its top-left at tl.
void multiplyInto(cv::Mat& a, const cv::Mat& b, cv::Point tl)
{
    const cv::Rect target = cv::Rect(tl, b.size()) & cv::Rect(0, 0, a.cols, a.rows);
    if (target.empty())
        return;
    cv::Mat roi = a(target);
    const cv::Mat src = b(cv::Rect(target.x - tl.x, target.y - tl.y, target.width, target.height));
    cv::multiply(roi, src, roi, 1.0 / 255.0);
}

} // namespace

Canvas::Canvas(int width, int height, int paper, double scale)
    : Canvas(width, height, cv::Scalar(paper, paper, paper), scale)
{
}

Canvas::Canvas(int width, int height, cv::Scalar paperBgr, double scale)
    : width_(width), height_(height), scale_(scale), paper_(paperBgr)
{
    if (!(scale > 0.0))
        throw std::invalid_argument("canvas scale must be positive");
}

int Canvas::S(int v) const { return sc(v, scale_); }

cv::Size Canvas::pixelSize() const { return {S(width_), S(height_)}; }

cv::Scalar Canvas::ink(int grey) const
{
    if (!tint_)
        return cv::Scalar(grey, grey, grey);
    const cv::Scalar& t = *tint_;
    const double lum = 0.114 * t[0] + 0.587 * t[1] + 0.299 * t[2];
    const double k = (255.0 - grey) / std::max(1.0, 255.0 - lum);
    cv::Scalar out;
    for (int i = 0; i < 3; ++i)
        out[i] = std::clamp(std::round(255.0 - k * (255.0 - t[i])), 0.0, 255.0);
    return out;
}

cv::Mat Canvas::paint() const
{
    cv::Mat image(S(height_), S(width_), CV_8UC3, paper_);
    for (const Op& op : ops_)
        op(image);
    return image;
}

cv::Mat Canvas::grey() const
{
    cv::Mat out;
    cv::cvtColor(paint(), out, cv::COLOR_BGR2GRAY);
    return out;
}

int Canvas::textWidth(const std::string& s, Font f, int px) const
{
    int baseline = 0;
    const int w = face(f).getTextSize(s, S(px), -1, &baseline).width;
    return scale_ == 1.0 ? w : static_cast<int>(std::lround(w / scale_));
}

int Canvas::text(int x, int top, const std::string& s, Font f, int px, int grey, bool record)
{
    ops_.push_back([org = cv::Point(S(x), S(top)), s, f, h = S(px), colour = ink(grey)](cv::Mat& img) {
        face(f).putText(img, s, org, h, colour, -1, cv::LINE_AA, false);
    });
    if (record && !s.empty())
        items_.push_back({block_, top, x, px, s});
    return x + textWidth(s, f, px);
}

int Canvas::centred(int cx, int top, const std::string& s, Font f, int px, int grey, bool record)
{
    return text(cx - textWidth(s, f, px) / 2, top, s, f, px, grey, record);
}

std::vector<std::string> Canvas::wrap(const std::string& s, Font f, int px, int maxWidth) const
{
    std::vector<std::string> lines;
    std::string current;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        std::size_t end = s.find(' ', pos);
        if (end == std::string::npos)
            end = s.size();
        const std::string word = s.substr(pos, end - pos);
        const std::string candidate = current.empty() ? word : current + " " + word;
        if (!current.empty() && textWidth(candidate, f, px) > maxWidth) {
            lines.push_back(current);
            current = word;
        } else {
            current = candidate;
        }
        pos = end + 1;
    }
    if (!current.empty())
        lines.push_back(current);
    return lines;
}

void Canvas::dots(int x, int top, int right, Font f, int px)
{
    // getTextSize measures ink, not advance: take the advance from a long run of dots.
    const double advance = (textWidth(std::string(101, '.'), f, px) - textWidth(".", f, px)) / 100.0;
    const int gap = px / 4; // a little air between the value and its leader
    int count = static_cast<int>((right - x - gap) / advance);
    while (count > 0 && textWidth(std::string(static_cast<std::size_t>(count), '.'), f, px) > right - x - gap)
        --count;
    if (count > 0) {
        const std::string leader(static_cast<std::size_t>(count), '.');
        text(right - textWidth(leader, f, px), top, leader, f, px, 70, false);
    }
}

void Canvas::rect(cv::Rect r, int grey, int thickness)
{
    ops_.push_back([r = sc(r, scale_), colour = ink(grey), t = thick(thickness, scale_)](cv::Mat& img) {
        cv::rectangle(img, r, colour, t < 0 ? cv::FILLED : t, cv::LINE_AA);
    });
}

void Canvas::roundedRect(cv::Rect rIn, int radius, int grey, int thickness)
{
    ops_.push_back([r = sc(rIn, scale_), rad = S(radius), colour = ink(grey), thickness = thick(thickness, scale_)](cv::Mat& img) {
        const cv::Point tl = r.tl(), br(r.x + r.width - 1, r.y + r.height - 1);
        if (thickness < 0) {
            cv::rectangle(img, cv::Rect(tl.x + rad, tl.y, r.width - 2 * rad, r.height), colour, cv::FILLED);
            cv::rectangle(img, cv::Rect(tl.x, tl.y + rad, r.width, r.height - 2 * rad), colour, cv::FILLED);
            for (const cv::Point c : {cv::Point(tl.x + rad, tl.y + rad), cv::Point(br.x - rad, tl.y + rad),
                                      cv::Point(tl.x + rad, br.y - rad), cv::Point(br.x - rad, br.y - rad)})
                cv::circle(img, c, rad, colour, cv::FILLED, cv::LINE_AA);
            return;
        }
        cv::line(img, {tl.x + rad, tl.y}, {br.x - rad, tl.y}, colour, thickness, cv::LINE_AA);
        cv::line(img, {tl.x + rad, br.y}, {br.x - rad, br.y}, colour, thickness, cv::LINE_AA);
        cv::line(img, {tl.x, tl.y + rad}, {tl.x, br.y - rad}, colour, thickness, cv::LINE_AA);
        cv::line(img, {br.x, tl.y + rad}, {br.x, br.y - rad}, colour, thickness, cv::LINE_AA);
        const cv::Size axes(rad, rad);
        cv::ellipse(img, {tl.x + rad, tl.y + rad}, axes, 0, 180, 270, colour, thickness, cv::LINE_AA);
        cv::ellipse(img, {br.x - rad, tl.y + rad}, axes, 0, 270, 360, colour, thickness, cv::LINE_AA);
        cv::ellipse(img, {tl.x + rad, br.y - rad}, axes, 0, 90, 180, colour, thickness, cv::LINE_AA);
        cv::ellipse(img, {br.x - rad, br.y - rad}, axes, 0, 0, 90, colour, thickness, cv::LINE_AA);
    });
}

void Canvas::line(cv::Point a, cv::Point b, int grey, int thickness)
{
    ops_.push_back([a = sc(a, scale_), b = sc(b, scale_), colour = ink(grey), t = thick(thickness, scale_)](cv::Mat& img) {
        cv::line(img, a, b, colour, t, cv::LINE_AA);
    });
}

void Canvas::circle(cv::Point c, int radius, int grey, int thickness)
{
    ops_.push_back([c = sc(c, scale_), r = S(radius), colour = ink(grey), t = thick(thickness, scale_)](cv::Mat& img) {
        cv::circle(img, c, r, colour, t < 0 ? cv::FILLED : t, cv::LINE_AA);
    });
}

void Canvas::polyline(const std::vector<cv::Point>& pts, int grey, int thickness)
{
    std::vector<cv::Point> p;
    for (const cv::Point& q : pts)
        p.push_back(sc(q, scale_));
    ops_.push_back([p, colour = ink(grey), t = thick(thickness, scale_)](cv::Mat& img) {
        cv::polylines(img, p, false, colour, t, cv::LINE_AA);
    });
}

void Canvas::fillPoly(const std::vector<cv::Point>& pts, int grey)
{
    std::vector<cv::Point> p;
    for (const cv::Point& q : pts)
        p.push_back(sc(q, scale_));
    ops_.push_back([p, colour = ink(grey)](cv::Mat& img) {
        cv::fillPoly(img, std::vector<std::vector<cv::Point>>{p}, colour, cv::LINE_AA);
    });
}

void Canvas::ellipse(cv::Point c, cv::Size axes, int grey, int thickness, int startDeg, int endDeg)
{
    ops_.push_back([c = sc(c, scale_), axes = cv::Size(S(axes.width), S(axes.height)), colour = ink(grey),
                    t = thick(thickness, scale_), startDeg, endDeg](cv::Mat& img) {
        cv::ellipse(img, c, axes, 0, startDeg, endDeg, colour, t < 0 ? cv::FILLED : t, cv::LINE_AA);
    });
}

void Canvas::rotatedText(cv::Point2d centre, double angleDeg, const std::string& s, Font f, int px, int grey)
{
    ops_.push_back([c = cv::Point2d(centre.x * scale_, centre.y * scale_), angleDeg, s, f, h = S(px),
                    colour = ink(grey)](cv::Mat& img) {
        int baseline = 0;
        const cv::Size size = face(f).getTextSize(s, h, -1, &baseline);
        const int w = size.width + h, ht = 2 * h;
        cv::Mat glyphs(ht, w, CV_8UC3, cv::Scalar(255, 255, 255));
        face(f).putText(glyphs, s, cv::Point(h / 2, h / 3), h, colour, -1, cv::LINE_AA, false);
        const int side = static_cast<int>(std::ceil(std::hypot(w, ht))) + 2;
        const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(w / 2.0f, ht / 2.0f), angleDeg, 1.0);
        cv::Mat shifted = m.clone();
        shifted.at<double>(0, 2) += (side - w) / 2.0;
        shifted.at<double>(1, 2) += (side - ht) / 2.0;
        cv::Mat turned;
        cv::warpAffine(glyphs, turned, shifted, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                       cv::Scalar(255, 255, 255));
        multiplyInto(img, turned, cv::Point(static_cast<int>(std::lround(c.x)) - side / 2,
                                            static_cast<int>(std::lround(c.y)) - side / 2));
    });
}

void Canvas::overlay(const Canvas& layer, cv::Point topLeft)
{
    if (layer.scale_ != scale_)
        throw std::logic_error("overlay at a different scale");
    ops_.push_back([l = std::make_shared<const Canvas>(layer), tl = sc(topLeft, scale_)](cv::Mat& img) {
        multiplyInto(img, l->paint(), tl);
    });
}

int Canvas::code128Width(const std::string& text, int module)
{
    return (static_cast<int>(code128Modules(text).size()) + 20) * module;
}

cv::Rect Canvas::code128(cv::Point topLeft, const std::string& text, int module, int barHeight)
{
    const std::vector<bool> modules = code128Modules(text);
    const int quiet = 10 * module;
    const cv::Rect area(topLeft.x, topLeft.y, static_cast<int>(modules.size()) * module + 2 * quiet, barHeight);
    const double s = scale_;
    ops_.push_back([modules, area, module, s](cv::Mat& img) {
        const int m = s == 1.0 ? module : std::max(1, static_cast<int>(std::floor(module * s + 1e-9)));
        const cv::Rect px = sc(area, s);
        const int x0 = px.x + (px.width - static_cast<int>(modules.size() + 20) * m) / 2 + 10 * m;
        cv::rectangle(img, px, cv::Scalar(255, 255, 255), cv::FILLED);
        for (std::size_t i = 0; i < modules.size(); ++i)
            if (modules[i])
                cv::rectangle(img, cv::Rect(x0 + static_cast<int>(i) * m, px.y, m, px.height), cv::Scalar(15, 15, 15),
                              cv::FILLED);
    });
    barcodes_.push_back({"Code128", text});
    return area;
}

int Canvas::qrWidth(const std::string& utf8, int module)
{
    return (qrModules(utf8).width() + 8) * module;
}

cv::Rect Canvas::qr(cv::Point topLeft, const std::string& utf8, int module)
{
    auto bm = std::make_shared<const ZXing::BitMatrix>(qrModules(utf8));
    const int quiet = 4 * module;
    const cv::Rect area(topLeft.x, topLeft.y, bm->width() * module + 2 * quiet, bm->height() * module + 2 * quiet);
    const double s = scale_;
    ops_.push_back([bm, area, module, s](cv::Mat& img) {
        const int m = s == 1.0 ? module : std::max(1, static_cast<int>(std::floor(module * s + 1e-9)));
        const cv::Rect px = sc(area, s);
        const int x0 = px.x + (px.width - (bm->width() + 8) * m) / 2 + 4 * m;
        const int y0 = px.y + (px.height - (bm->height() + 8) * m) / 2 + 4 * m;
        cv::rectangle(img, px, cv::Scalar(255, 255, 255), cv::FILLED);
        for (int y = 0; y < bm->height(); ++y)
            for (int x = 0; x < bm->width(); ++x)
                if (bm->get(x, y))
                    cv::rectangle(img, cv::Rect(x0 + x * m, y0 + y * m, m, m), cv::Scalar(15, 15, 15), cv::FILLED);
    });
    barcodes_.push_back({"QRCode", utf8});
    return area;
}

std::string Canvas::truthText() const
{
    std::vector<std::string> lines;
    for (int b = 0; b <= block_; ++b) {
        std::vector<Item> items;
        for (const Item& it : items_)
            if (it.block == b)
                items.push_back(it);
        std::stable_sort(items.begin(), items.end(), [](const Item& l, const Item& r) { return l.top < r.top; });
        for (std::size_t i = 0; i < items.size();) {
            std::size_t j = i + 1;
            while (j < items.size() && items[j].top - items[i].top <= items[i].px / 2)
                ++j;
            std::vector<Item> row(items.begin() + static_cast<std::ptrdiff_t>(i), items.begin() + static_cast<std::ptrdiff_t>(j));
            std::stable_sort(row.begin(), row.end(), [](const Item& l, const Item& r) { return l.x < r.x; });
            std::string joined;
            for (const Item& it : row)
                joined += (joined.empty() ? "" : " ") + it.text;
            lines.push_back(joined);
            i = j;
        }
    }
    std::string out;
    for (const std::string& l : lines)
        out += (out.empty() ? "" : "\n") + l;
    return out;
}

} // namespace samplegen
