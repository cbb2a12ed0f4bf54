#include "pages.h"

#include "s10.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace samplegen {

namespace {

// A4 text area: 2.5 cm left, 2 cm right, generous top and bottom.
constexpr int kLeft = 200;
constexpr int kRight = 1484;
constexpr int kTop = 170;
constexpr int kBottom = 2339 - 170;
constexpr int kBodyPx = 30;
constexpr int kPitch = 56;

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw std::logic_error("layout: " + what);
}

// Largest size <= px at which s fits in maxWidth.
int fitPx(const Canvas& c, const std::string& s, Font f, int px, int maxWidth)
{
    while (px > 8 && c.textWidth(s, f, px) > maxWidth)
        --px;
    return px;
}

// A handwritten-looking signature: a smoothed random zigzag with a loop-ish rhythm.
void signature(Canvas& c, cv::Point centre, Rng& rng)
{
    std::vector<cv::Point2d> pts;
    const int n = 10;
    for (int i = 0; i < n; ++i) {
        const double x = centre.x - 125 + i * 250.0 / (n - 1) + rng.uniform(-12, 12);
        const double y = centre.y + (i % 2 == 0 ? -1 : 1) * rng.uniform(12, 38);
        pts.emplace_back(x, y);
    }
    for (int pass = 0; pass < 3; ++pass) { // Chaikin corner cutting
        std::vector<cv::Point2d> smooth{pts.front()};
        for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
            smooth.push_back(pts[i] * 0.75 + pts[i + 1] * 0.25);
            smooth.push_back(pts[i] * 0.25 + pts[i + 1] * 0.75);
        }
        smooth.push_back(pts.back());
        pts = smooth;
    }
    std::vector<cv::Point> line;
    for (const auto& p : pts)
        line.emplace_back(static_cast<int>(p.x + 0.5), static_cast<int>(p.y + 0.5));
    c.polyline(line, 45, 3);
    c.line({centre.x - 90, centre.y + 45}, {centre.x + 70 + rng.uniform(0, 40), centre.y + 38}, 45, 2);
}

// A five-pointed star, filled.
void star(Canvas& c, cv::Point centre, int radius, int grey)
{
    std::vector<cv::Point> pts;
    for (int i = 0; i < 10; ++i) {
        const double r = i % 2 == 0 ? radius : radius * 0.4;
        const double a = -CV_PI / 2 + i * CV_PI / 5;
        pts.emplace_back(centre.x + static_cast<int>(r * std::cos(a)), centre.y + static_cast<int>(r * std::sin(a)));
    }
    c.fillPoly(pts, grey);
}

// A red round seal as a photocopier renders it: mid grey rings and a star.
void seal(Canvas& c, cv::Point centre)
{
    c.circle(centre, 120, 140, 6);
    c.circle(centre, 92, 140, 3);
    star(c, centre, 45, 140);
}

// The national header "CỘNG HÒA ... / Độc lập - Tự do - Hạnh phúc", underlined; returns its bottom.
int nationalHeader(Canvas& c, int cx, int top, int px)
{
    c.centred(cx, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Font::SerifBold, px);
    const std::string motto = "Độc lập - Tự do - Hạnh phúc";
    const int w = c.textWidth(motto, Font::SerifBold, px);
    const int y2 = top + px + px / 2;
    c.centred(cx, y2, motto, Font::SerifBold, px);
    c.line({cx - w / 2, y2 + px + 8}, {cx + w / 2, y2 + px + 8}, 30, 2);
    return y2 + px + 8;
}

int drawField(Canvas& c, const Field& f, int y)
{
    const std::string s = f.value.empty() ? f.label : f.label + " " + f.value;
    const auto lines = c.wrap(s, Font::Serif, kBodyPx, kRight - kLeft);
    int end = kLeft;
    for (const auto& l : lines) {
        end = c.text(kLeft, y, l, Font::Serif, kBodyPx);
        y += kPitch;
    }
    c.dots(end, y - kPitch, kRight, Font::Serif, kBodyPx);
    return y;
}

int drawProse(Canvas& c, const Prose& p, int y)
{
    const Font f = p.bold ? Font::SerifBold : Font::Serif;
    for (const auto& l : c.wrap(p.text, f, kBodyPx, kRight - kLeft)) {
        if (p.centred)
            c.centred((kLeft + kRight) / 2, y, l, f, kBodyPx);
        else
            c.text(kLeft, y, l, f, kBodyPx);
        y += kPitch;
    }
    return y;
}

int drawTable(Canvas& c, const Table& t, int y)
{
    constexpr int px = 28, pitch = 46, pad = 14;
    int total = 0;
    for (int w : t.widths)
        total += w;
    require(total == kRight - kLeft, "table widths must fill the text width");
    const int rule = 40;
    const int top = y;
    std::vector<int> rows{y};
    auto cellX = [&](std::size_t col) {
        int x = kLeft;
        for (std::size_t i = 0; i < col; ++i)
            x += t.widths[i];
        return x;
    };
    // header
    for (std::size_t col = 0; col < t.header.size(); ++col)
        c.centred(cellX(col) + t.widths[col] / 2, y + pad, t.header[col], Font::SerifBold, px);
    y += 2 * pad + px + 6;
    rows.push_back(y);
    for (const auto& row : t.rows) {
        std::size_t maxLines = 1;
        std::vector<std::vector<std::string>> cells;
        for (std::size_t col = 0; col < row.size(); ++col) {
            cells.push_back(c.wrap(row[col], Font::Serif, px, t.widths[col] - 2 * pad));
            maxLines = std::max(maxLines, cells.back().size());
        }
        for (std::size_t col = 0; col < row.size(); ++col) {
            const int x = cellX(col) + pad;
            int end = x, lineTop = y + pad;
            for (std::size_t k = 0; k < cells[col].size(); ++k) {
                lineTop = y + pad + static_cast<int>(k) * pitch;
                end = c.text(x, lineTop, cells[col][k], Font::Serif, px);
            }
            if (col > 0) // values are dot-led; the label column is not
                c.dots(end, lineTop, cellX(col) + t.widths[col] - pad, Font::Serif, px);
        }
        y += 2 * pad + static_cast<int>(maxLines - 1) * pitch + px + 6;
        rows.push_back(y);
    }
    for (int ry : rows)
        c.line({kLeft, ry}, {kRight, ry}, rule, 2);
    for (std::size_t col = 0; col <= t.widths.size(); ++col)
        c.line({cellX(col), top}, {cellX(col), y}, rule, 2);
    return y + 30;
}

} // namespace

PageImage envelope(const EnvelopeSpec& s)
{
    const int W = s.size.width, H = s.size.height;
    Canvas c(W, H, s.paper);
    constexpr int m = 70, px = 28, pitch = 46;

    // Sender block, top left, one item a line.
    c.block();
    int senderRight = 0;
    const std::string sender[] = {"Người gửi: " + s.senderName, "Địa chỉ: " + s.senderAddress, "Điện thoại: " + s.senderPhone};
    for (int i = 0; i < 3; ++i)
        senderRight = std::max(senderRight, c.text(m, m + i * pitch, sender[i], Font::Sans, px));

    // Postage stamp, top right, with perforated edges, and a postmark over it.
    c.block();
    const cv::Rect stamp(W - m - 230, m, 230, 160);
    c.rect(stamp, 212, -1);
    for (int x = stamp.x; x <= stamp.x + stamp.width; x += 16) {
        c.circle({x, stamp.y}, 5, s.paper, -1);
        c.circle({x, stamp.y + stamp.height}, 5, s.paper, -1);
    }
    for (int y = stamp.y; y <= stamp.y + stamp.height; y += 16) {
        c.circle({stamp.x, y}, 5, s.paper, -1);
        c.circle({stamp.x + stamp.width, y}, 5, s.paper, -1);
    }
    const cv::Rect inner(stamp.x + 16, stamp.y + 16, stamp.width - 32, stamp.height - 32);
    c.rect(inner, 60, 2);
    const int cx = inner.x + inner.width / 2;
    require(c.textWidth("BƯU CHÍNH", Font::SansBold, 26) < inner.width - 10, "stamp text too wide");
    c.centred(cx, inner.y + 24, "BƯU CHÍNH", Font::SansBold, 26, 30);
    c.centred(cx, inner.y + 66, "VIỆT NAM", Font::Sans, 22, 30);
    // Postmark beside the stamp, its cancellation waves running left, clear of the stamp's text.
    const cv::Point postmark(stamp.x - 62, stamp.y + stamp.height / 2 + 10);
    c.circle(postmark, 74, 115, 3);
    c.circle(postmark, 54, 115, 2);
    const int wavesLeft = postmark.x - 74 - 190;
    for (int k = -1; k <= 2; ++k) {
        std::vector<cv::Point> wave;
        for (int x = wavesLeft; x <= postmark.x - 80; x += 6)
            wave.emplace_back(x, postmark.y - 30 + k * 22 + static_cast<int>(7 * std::sin(x / 14.0)));
        c.polyline(wave, 115, 3);
    }
    require(senderRight + 30 < wavesLeft, "sender block runs into the postmark");

    // Postal label: service, Code128 of the S10 identifier, spaced human-readable form.
    c.block();
    constexpr int module = 3, barHeight = 90;
    const int boxW = Canvas::code128Width(s.tracking, module) + 24;
    const cv::Rect box(W - m - boxW, stamp.y + stamp.height + 40, boxW, 44 + barHeight + 10 + 34 + 14);
    require(senderRight + 30 < box.x || m + 3 * pitch < box.y, "sender block runs into the postal label");
    c.rect(box, 255, -1);
    c.rect(box, 30, 2);
    c.centred(box.x + box.width / 2, box.y + 10, s.service, Font::SansBold, 22);
    const cv::Rect bars = c.code128({box.x + 12, box.y + 44}, s.tracking, module, barHeight);
    c.centred(box.x + box.width / 2, bars.y + bars.height + 10, s10Spaced(s.tracking), Font::Sans, 28);

    // Recipient block, lower right.
    c.block();
    const int rx = W * 36 / 100;
    const std::vector<std::string> recipient =
        s.recipient.empty() ? std::vector<std::string>{"Người nhận: Trung tâm Phục vụ hành chính công xã Tân Phú",
                                                       "Địa chỉ: Ủy ban nhân dân xã Tân Phú, tỉnh Long An"}
                            : s.recipient;
    const int lines = static_cast<int>(recipient.size());
    const int top = std::max(box.y + box.height + 60, H - m - lines * pitch - 40 + pitch * (lines > 2 ? 1 : 0));
    for (int i = 0; i < lines; ++i)
        require(c.text(rx, top + i * pitch, recipient[static_cast<std::size_t>(i)], Font::Sans, px) < W - m,
                "recipient block too wide");
    require(top + lines * pitch < H - m + 20 + (lines > 2 ? pitch : 0), "recipient block below the envelope's margin");
    return {c.grey(), c.truthText(), c.barcodes()};
}

PageImage document(const DocumentSpec& spec, int paper, Rng& rng)
{
    Canvas c(1654, 2339, paper);
    const int cx = (kLeft + kRight) / 2;
    int y = kTop;
    c.block();
    if (!spec.agency.empty()) {
        // Issuing body on the left, national header on the right, both at 24 px.
        constexpr int px = 24;
        int wl = 0;
        for (const auto& a : spec.agency)
            wl = std::max(wl, c.textWidth(a, Font::SerifBold, px));
        const int wr = c.textWidth("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Font::SerifBold, px);
        require(kLeft + wl + 40 < kRight - wr, "agency and national header overlap");
        const int lx = kLeft + wl / 2, rxh = kRight - wr / 2;
        int ay = y;
        for (std::size_t i = 0; i < spec.agency.size(); ++i) {
            const bool last = i + 1 == spec.agency.size();
            c.centred(lx, ay, spec.agency[i], last ? Font::SerifBold : Font::Serif, px);
            ay += px + px / 2;
        }
        c.line({lx - 80, ay + 4}, {lx + 80, ay + 4}, 30, 2);
        c.block(); // the two header columns are read one after the other
        y = std::max(ay, spec.nationalHeader ? nationalHeader(c, rxh, y, px) : y);
    } else if (spec.nationalHeader) {
        y = nationalHeader(c, cx, y, kBodyPx);
    }
    if (!spec.title.empty()) {
        y += 90;
        c.block();
        for (const auto& l : c.wrap(spec.title, Font::SerifBold, 40, kRight - kLeft)) {
            c.centred(cx, y, l, Font::SerifBold, 40);
            y += 60;
        }
        y += spec.addressee.empty() ? 30 : 10;
    }
    if (!spec.addressee.empty()) {
        c.block();
        c.centred(cx, y, spec.addressee, Font::Serif, kBodyPx);
        y += kPitch + 30;
    }
    c.block();
    for (const auto& item : spec.body) {
        if (const auto* f = std::get_if<Field>(&item))
            y = drawField(c, *f, y);
        else if (const auto* p = std::get_if<Prose>(&item))
            y = drawProse(c, *p, y);
        else
            y = drawTable(c, std::get<Table>(item), y);
    }

    if (!spec.signers.empty()) {
        c.block();
        y += 40;
        const int rightCol = kRight - 330;
        if (!spec.placeDate.empty()) {
            const int w = c.textWidth(spec.placeDate, Font::Serif, 28);
            c.centred(std::min(rightCol, kRight - w / 2), y, spec.placeDate, Font::Serif, 28);
            y += 56;
        }
        const std::vector<int> cols =
            spec.signers.size() == 1 ? std::vector<int>{rightCol} : std::vector<int>{kLeft + 300, rightCol};
        for (std::size_t i = 0; i < spec.signers.size(); ++i) {
            const Signer& s = spec.signers[i];
            const int col = cols[i];
            c.block(); // signature columns are read one after the other
            c.centred(col, y, s.role, Font::SerifBold, kBodyPx);
            if (!s.note.empty())
                c.centred(col, y + 46, s.note, Font::Serif, 24);
            signature(c, {col, y + 150}, rng);
            c.centred(col, y + 250, s.name, Font::SerifBold, kBodyPx);
        }
        if (spec.seal)
            seal(c, {cols.back() - 110, y + 140});
        if (!spec.qr.empty()) {
            require(spec.signers.size() == 1, "a QR code needs the left column free");
            c.block();
            c.qr({kLeft, y + 20}, spec.qr, 6);
        }
        y += 300;
    }
    require(y < kBottom, "document runs past the bottom margin");
    return {c.grey(), c.truthText(), c.barcodes()};
}

PageImage idCardCopy(const IdCardSpec& s, int paper, Rng& rng)
{
    Canvas c(1654, 2339, paper);
    constexpr int cw = 674, ch = 425; // 85.6 x 54 mm at 200 dpi
    const int px = 17, pitch = 24;

    // Front.
    const cv::Rect front((1654 - cw) / 2, 330, cw, ch);
    c.roundedRect(front, 28, 222, -1);
    c.roundedRect(front, 28, 55, 3);
    c.block();
    const int qrModule = 4;
    const int qrSide = Canvas::qrWidth(s.qrPayload, qrModule);
    const cv::Rect qr = c.qr({front.x + cw - 14 - qrSide, front.y + 14}, s.qrPayload, qrModule);
    const int headLeft = front.x + 18, headRight = qr.x - 8, headCx = (headLeft + headRight) / 2;
    const std::string republic = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    c.centred(headCx, front.y + 26, republic, Font::SansBold, fitPx(c, republic, Font::SansBold, 17, headRight - headLeft), 30);
    c.centred(headCx, front.y + 70, "CĂN CƯỚC CÔNG DÂN", Font::SansBold,
              fitPx(c, "CĂN CƯỚC CÔNG DÂN", Font::SansBold, 28, headRight - headLeft), 30);
    const int textX = front.x + 190;
    require(c.text(front.x + 22, front.y + 112, "Số / No.: " + s.number, Font::SansBold, 20, 30) < qr.x - 8,
            "ID number runs into the QR code");
    // photo
    const cv::Rect photo(front.x + 22, front.y + 155, 150, 200);
    c.rect(photo, 160, -1);
    c.ellipse({photo.x + 75, photo.y + 78}, {40, 50}, 95, -1);
    c.ellipse({photo.x + 75, photo.y + 199}, {68, 62}, 95, -1, 180, 360); // shoulders
    c.rect(photo, 90, 1);
    int y = std::max(qr.y + qr.height + 6, front.y + 165);
    const int textW = front.x + cw - 16 - textX;
    auto line = [&](const std::string& t) {
        for (const auto& l : c.wrap(t, Font::Sans, px, textW)) {
            c.text(textX, y, l, Font::Sans, px, 30);
            y += pitch;
        }
    };
    line("Họ và tên / Full name: " + s.fullName);
    line("Ngày sinh / Date of birth: " + s.dateOfBirth);
    line("Giới tính / Sex: " + s.sex);
    line("Quê quán / Place of origin: " + s.origin);
    line("Nơi thường trú / Place of residence: " + s.residence);
    require(y < front.y + ch - 4, "ID card front text overflows the card (" + std::to_string(y - front.y) + " px, QR " + std::to_string(qrSide) + " px)");

    // Back.
    const cv::Rect back(front.x, front.y + ch + 140, cw, ch);
    c.roundedRect(back, 28, 222, -1);
    c.roundedRect(back, 28, 55, 3);
    c.block();
    const int leftW = 380;
    y = back.y + 24;
    for (const auto& l : c.wrap("Đặc điểm nhân dạng: " + s.features, Font::Sans, px, leftW)) {
        c.text(back.x + 22, y, l, Font::Sans, px, 30);
        y += pitch;
    }
    y += 10;
    c.text(back.x + 22, y, "Ngày, tháng, năm: " + s.issueDate, Font::Sans, px, 30);
    y += pitch + 14;
    const int signCx = back.x + 22 + leftW / 2;
    for (const auto& l : c.wrap("CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", Font::SansBold, 16, leftW)) {
        c.centred(signCx, y, l, Font::SansBold, 16, 30);
        y += 24;
    }
    // seal and signature of the issuing officer
    c.circle({signCx - 60, y + 60}, 52, 150, 3);
    star(c, {signCx - 60, y + 60}, 20, 150);
    signature(c, {signCx + 20, y + 55}, rng);
    require(y + 120 < back.y + ch, "ID card back text overflows the card");
    // fingerprints
    c.block();
    for (int k = 0; k < 2; ++k) {
        const cv::Rect box(back.x + 420 + k * 122, back.y + 24, 110, 140);
        c.rect(box, 80, 1);
        const cv::Point centre(box.x + 55, box.y + 62);
        for (int r = 8; r <= 40; r += 6)
            c.ellipse(centre, {r, r + r / 3}, 120, 1);
        c.centred(box.x + 55, box.y + 112, k == 0 ? "Ngón trỏ trái" : "Ngón trỏ phải", Font::Sans, 14, 30);
    }
    // chip
    const cv::Rect chip(back.x + 470, back.y + 250, 100, 78);
    c.roundedRect(chip, 12, 170, -1);
    c.roundedRect(chip, 12, 80, 2);
    c.line({chip.x, chip.y + 26}, {chip.x + 100, chip.y + 26}, 80, 2);
    c.line({chip.x, chip.y + 52}, {chip.x + 100, chip.y + 52}, 80, 2);
    c.line({chip.x + 50, chip.y}, {chip.x + 50, chip.y + 78}, 80, 2);
    return {c.grey(), c.truthText(), c.barcodes()};
}

PageImage blankBackSide(int paper, int showThrough)
{
    // Faint mirrored show-through of the printed front side of the sheet.
    Canvas front(1654, 2339, 255);
    int y = kTop + 40;
    front.centred(827, y, "BẢN SAO", Font::SerifBold, 40, 25, false);
    y += 120;
    const std::string prose = "Căn cứ vào sổ đăng ký, bản sao này được cấp theo yêu cầu của người có tên dưới đây để "
                              "nộp kèm hồ sơ tại Trung tâm Phục vụ hành chính công xã; nội dung đúng với bản chính.";
    for (int p = 0; p < 7; ++p)
        for (const auto& l : front.wrap(prose, Font::Serif, kBodyPx, kRight - kLeft)) {
            front.text(kLeft, y, l, Font::Serif, kBodyPx, 25, false);
            y += kPitch;
        }
    cv::Mat mirrored;
    cv::flip(front.grey(), mirrored, 1);
    cv::GaussianBlur(mirrored, mirrored, cv::Size(0, 0), 1.5);
    cv::Mat out(mirrored.size(), CV_8UC1);
    for (int r = 0; r < out.rows; ++r)
        for (int col = 0; col < out.cols; ++col) {
            const int v = mirrored.at<uchar>(r, col);
            out.at<uchar>(r, col) = static_cast<uchar>(paper - (255 - v) * (paper - showThrough) / (255 - 25));
        }
    return {out, "", {}};
}

PageImage separatorSheet(const std::string& code, int paper)
{
    Canvas c(1654, 2339, paper);
    const std::string title = "TÁCH HỒ SƠ / SEPARATOR";
    const int px = fitPx(c, title, Font::SansBold, 80, kRight - kLeft);
    c.centred(827, 780, title, Font::SansBold, px, 20);
    constexpr int module = 6, height = 320;
    const int w = Canvas::code128Width(code, module);
    c.code128({827 - w / 2, 1010}, code, module, height);
    return {c.grey(), c.truthText(), c.barcodes()};
}

} // namespace samplegen
