// Canvas: one page being drawn at 200 dpi — Vietnamese text through cv::freetype, rules,
// boxes and real ZXing barcodes — that also records what it printed (text lines and barcode
// contents) so the ground truth comes from the drawing itself.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace samplegen {

enum class Font { Sans, SansBold, Serif, SerifBold };

struct Barcode {
    std::string format; // ZXing's name: "Code128", "QRCode"
    std::string text;
};

class Canvas {
public:
    Canvas(int width, int height, int paper);

    int width() const { return image_.cols; }
    int height() const { return image_.rows; }
    cv::Mat grey() const; // the drawing as 8-bit grey

    // Text is placed by its top-left corner (top = top of the font's line box) in pixels;
    // px is the font height. Every call records its string for the truth unless record is false.
    int textWidth(const std::string& s, Font f, int px) const;
    int text(int x, int top, const std::string& s, Font f, int px, int ink = 25, bool record = true);
    int centred(int cx, int top, const std::string& s, Font f, int px, int ink = 25, bool record = true);
    // Greedy word wrap to maxWidth.
    std::vector<std::string> wrap(const std::string& s, Font f, int px, int maxWidth) const;
    // A row of '.' from x to right (a dot leader); never recorded.
    void dots(int x, int top, int right, Font f, int px);

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

    // Real barcodes (with white quiet zones) whose contents are recorded; both return the area
    // drawn, quiet zone included. Code128: 10-module quiet zones, module px per module.
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
    cv::Mat image_; // BGR: cv::freetype draws on 3-channel images only
    std::vector<Item> items_;
    std::vector<Barcode> barcodes_;
    int block_ = 0;
};

} // namespace samplegen
