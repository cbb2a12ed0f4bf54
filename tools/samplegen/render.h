// Canvas: one page being drawn — Vietnamese text through cv::freetype, rules, boxes and real
// ZXing barcodes — that also records what it printed (text lines and barcode contents) so the
// ground truth comes from the drawing itself.
//
// Coordinates are layout units: pixels at 200 dpi. A canvas is made for one output scale
// (scale 1 = 200 dpi, 1.5 = 300 dpi, ...) and text is measured at the size it will be painted
// with, so layout and painting agree at any resolution. Drawing calls only record operations;
// paint() replays them onto a fresh image, so a page can be laid out in one thread and painted
// in another (painting is const and thread-safe: every thread has its own font faces).
#pragma once

#include <opencv2/core.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samplegen {

enum class Font {
    Sans, SansBold, Serif, SerifBold, // DejaVu (batch-01)
    SerifItalic, SansCondensed, SansCondensedBold, Mono, MonoBold,
    NotoSans, NotoSansBold, NotoSerif, NotoSerifBold, NotoSerifItalic,
};

struct Barcode {
    std::string format; // ZXing's name: "Code128", "QRCode"
    std::string text;
};

class Canvas {
public:
    Canvas(int width, int height, int paper, double scale = 1.0);
    Canvas(int width, int height, cv::Scalar paperBgr, double scale = 1.0);

    int width() const { return width_; }   // layout units
    int height() const { return height_; } // layout units
    double scale() const { return scale_; }
    cv::Scalar paper() const { return paper_; }
    cv::Size pixelSize() const;
    cv::Mat paint() const; // the drawing at its scale, BGR
    cv::Mat grey() const;  // the drawing at its scale, 8-bit grey

    // Ink colour of what is drawn next: nullopt draws grey levels as grey; a BGR colour draws
    // each grey level in that hue at about the same lightness (red seals, blue ballpoint).
    void setTint(std::optional<cv::Scalar> bgr) { tint_ = bgr; }

    // Text is placed by its top-left corner (top = top of the font's line box) in pixels;
    // px is the font height. Every call records its string for the truth unless record is false.
    int textWidth(const std::string& s, Font f, int px) const;
    int text(int x, int top, const std::string& s, Font f, int px, int ink = 25, bool record = true);
    int centred(int cx, int top, const std::string& s, Font f, int px, int ink = 25, bool record = true);
    // Greedy word wrap to maxWidth.
    std::vector<std::string> wrap(const std::string& s, Font f, int px, int maxWidth) const;
    // A row of '.' from x to right (a dot leader); never recorded.
    void dots(int x, int top, int right, Font f, int px);

    // Records a line of truth text drawn elsewhere (inside an overlay layer) without painting.
    void note(int x, int top, const std::string& s, int px)
    {
        if (!s.empty())
            items_.push_back({block_, top, x, px, s});
    }

    // Starts a new block of the truth text: lines are grouped per block, and inside a block
    // texts at the same height are joined left to right into one line.
    void block() { ++block_; }

    void rect(cv::Rect r, int grey, int thickness);      // thickness < 0 fills
    void roundedRect(cv::Rect r, int radius, int grey, int thickness);
    void line(cv::Point a, cv::Point b, int grey, int thickness);
    void circle(cv::Point c, int radius, int grey, int thickness);
    void polyline(const std::vector<cv::Point>& pts, int grey, int thickness);
    void fillPoly(const std::vector<cv::Point>& pts, int grey);
    void ellipse(cv::Point c, cv::Size axes, int grey, int thickness, int startDeg = 0, int endDeg = 360);

    // Text turned by angleDeg (counter-clockwise) about its centre, multiplied into the page
    // like stamp ink; never recorded (seal and postmark lettering).
    void rotatedText(cv::Point2d centre, double angleDeg, const std::string& s, Font f, int px, int grey);
    // Multiplies another drawing (same scale, white paper) into this one with its top-left at
    // topLeft: ink over ink darkens, as stamps and postmarks do. Its text is not recorded here.
    void overlay(const Canvas& layer, cv::Point topLeft);

    // Real barcodes (with white quiet zones) whose contents are recorded; both return the area
    // drawn, quiet zone included. Code128: 10-module quiet zones, module px per module.
    // At scales other than 1 a module is floor(module * scale) pixels, centred in the area.
    cv::Rect code128(cv::Point topLeft, const std::string& text, int module, int barHeight);
    static int code128Width(const std::string& text, int module); // incl. quiet zones
    // QR Code of UTF-8 text (encoded as UTF-8 with ECI), 4-module quiet zone.
    cv::Rect qr(cv::Point topLeft, const std::string& utf8, int module);
    static int qrWidth(const std::string& utf8, int module); // incl. quiet zone

    std::string truthText() const;
    const std::vector<Barcode>& barcodes() const { return barcodes_; }

private:
    struct Item {
        int block;
        int top;
        int x;
        int px;
        std::string text;
    };
    using Op = std::function<void(cv::Mat&)>;
    cv::Scalar ink(int grey) const;
    int S(int v) const;

    int width_, height_;
    double scale_;
    cv::Scalar paper_;
    std::optional<cv::Scalar> tint_;
    std::vector<Op> ops_;
    std::vector<Item> items_;
    std::vector<Barcode> barcodes_;
    int block_ = 0;
};

} // namespace samplegen
