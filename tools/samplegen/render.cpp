#include "render.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
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
    }
    throw std::logic_error("unknown font");
}

// The four faces, loaded once.
cv::freetype::FreeType2& face(Font f)
{
    static std::array<cv::Ptr<cv::freetype::FreeType2>, 4> faces = [] {
        std::array<cv::Ptr<cv::freetype::FreeType2>, 4> loaded;
        for (int i = 0; i < 4; ++i) {
            loaded[i] = cv::freetype::createFreeType2();
            loaded[i]->loadFontData(fontPath(static_cast<Font>(i)), 0);
        }
        return loaded;
    }();
    return *faces[static_cast<std::size_t>(f)];
}

cv::Scalar ink(int grey) { return cv::Scalar(grey, grey, grey); }

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

Canvas::Canvas(int width, int height, int paper) : image_(height, width, CV_8UC3, ink(paper)) {}

cv::Mat Canvas::grey() const
{
    cv::Mat out;
    cv::cvtColor(image_, out, cv::COLOR_BGR2GRAY);
    return out;
}

int Canvas::textWidth(const std::string& s, Font f, int px) const
{
    int baseline = 0;
    return face(f).getTextSize(s, px, -1, &baseline).width;
}

int Canvas::text(int x, int top, const std::string& s, Font f, int px, int grey, bool record)
{
    face(f).putText(image_, s, cv::Point(x, top), px, ink(grey), -1, cv::LINE_AA, false);
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
    cv::rectangle(image_, r, ink(grey), thickness < 0 ? cv::FILLED : thickness, cv::LINE_AA);
}

void Canvas::roundedRect(cv::Rect r, int radius, int grey, int thickness)
{
    const cv::Point tl = r.tl(), br(r.x + r.width - 1, r.y + r.height - 1);
    const int rad = radius;
    if (thickness < 0) {
        cv::rectangle(image_, cv::Rect(tl.x + rad, tl.y, r.width - 2 * rad, r.height), ink(grey), cv::FILLED);
        cv::rectangle(image_, cv::Rect(tl.x, tl.y + rad, r.width, r.height - 2 * rad), ink(grey), cv::FILLED);
        for (const cv::Point c : {cv::Point(tl.x + rad, tl.y + rad), cv::Point(br.x - rad, tl.y + rad),
                                  cv::Point(tl.x + rad, br.y - rad), cv::Point(br.x - rad, br.y - rad)})
            cv::circle(image_, c, rad, ink(grey), cv::FILLED, cv::LINE_AA);
        return;
    }
    cv::line(image_, {tl.x + rad, tl.y}, {br.x - rad, tl.y}, ink(grey), thickness, cv::LINE_AA);
    cv::line(image_, {tl.x + rad, br.y}, {br.x - rad, br.y}, ink(grey), thickness, cv::LINE_AA);
    cv::line(image_, {tl.x, tl.y + rad}, {tl.x, br.y - rad}, ink(grey), thickness, cv::LINE_AA);
    cv::line(image_, {br.x, tl.y + rad}, {br.x, br.y - rad}, ink(grey), thickness, cv::LINE_AA);
    const cv::Size axes(rad, rad);
    cv::ellipse(image_, {tl.x + rad, tl.y + rad}, axes, 0, 180, 270, ink(grey), thickness, cv::LINE_AA);
    cv::ellipse(image_, {br.x - rad, tl.y + rad}, axes, 0, 270, 360, ink(grey), thickness, cv::LINE_AA);
    cv::ellipse(image_, {tl.x + rad, br.y - rad}, axes, 0, 90, 180, ink(grey), thickness, cv::LINE_AA);
    cv::ellipse(image_, {br.x - rad, br.y - rad}, axes, 0, 0, 90, ink(grey), thickness, cv::LINE_AA);
}

void Canvas::line(cv::Point a, cv::Point b, int grey, int thickness)
{
    cv::line(image_, a, b, ink(grey), thickness, cv::LINE_AA);
}

void Canvas::circle(cv::Point c, int radius, int grey, int thickness)
{
    cv::circle(image_, c, radius, ink(grey), thickness < 0 ? cv::FILLED : thickness, cv::LINE_AA);
}

void Canvas::polyline(const std::vector<cv::Point>& pts, int grey, int thickness)
{
    cv::polylines(image_, pts, false, ink(grey), thickness, cv::LINE_AA);
}

void Canvas::fillPoly(const std::vector<cv::Point>& pts, int grey)
{
    cv::fillPoly(image_, std::vector<std::vector<cv::Point>>{pts}, ink(grey), cv::LINE_AA);
}

void Canvas::ellipse(cv::Point c, cv::Size axes, int grey, int thickness, int startDeg, int endDeg)
{
    cv::ellipse(image_, c, axes, 0, startDeg, endDeg, ink(grey), thickness < 0 ? cv::FILLED : thickness, cv::LINE_AA);
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
    cv::rectangle(image_, area, ink(255), cv::FILLED);
    for (std::size_t i = 0; i < modules.size(); ++i)
        if (modules[i])
            cv::rectangle(image_, cv::Rect(area.x + quiet + static_cast<int>(i) * module, area.y, module, barHeight),
                          ink(15), cv::FILLED);
    barcodes_.push_back({"Code128", text});
    return area;
}

int Canvas::qrWidth(const std::string& utf8, int module)
{
    return (qrModules(utf8).width() + 8) * module;
}

cv::Rect Canvas::qr(cv::Point topLeft, const std::string& utf8, int module)
{
    const ZXing::BitMatrix bm = qrModules(utf8);
    const int quiet = 4 * module;
    const cv::Rect area(topLeft.x, topLeft.y, bm.width() * module + 2 * quiet, bm.height() * module + 2 * quiet);
    cv::rectangle(image_, area, ink(255), cv::FILLED);
    for (int y = 0; y < bm.height(); ++y)
        for (int x = 0; x < bm.width(); ++x)
            if (bm.get(x, y))
                cv::rectangle(image_, cv::Rect(area.x + quiet + x * module, area.y + quiet + y * module, module, module),
                              ink(15), cv::FILLED);
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
