#include "corpus_pages.h"

#include "s10.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace samplegen::corpus {

namespace {

constexpr int kA4W = 1654, kA4H = 2339;
const cv::Scalar kRedInk(60, 45, 205);     // seals
const cv::Scalar kBlueInk(160, 70, 25);    // ballpoint signatures
const cv::Scalar kPurpleInk(150, 60, 110); // certification stamps, some postmarks

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw std::logic_error("corpus layout: " + what);
}

// UTF-8 string split into characters.
std::vector<std::string> chars(const std::string& s)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
        out.push_back(s.substr(i, len));
        i += len;
    }
    return out;
}

// Largest size <= px at which s fits in maxWidth.
int fitPx(const Canvas& c, const std::string& s, Font f, int px, int maxWidth)
{
    while (px > 8 && c.textWidth(s, f, px) > maxWidth)
        --px;
    return px;
}

// Greedy wrap with a narrower first line (paragraph indent).
std::vector<std::string> wrapIndented(const Canvas& c, const std::string& s, Font f, int px, int width, int indent)
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
        const int limit = lines.empty() ? width - indent : width;
        if (!current.empty() && c.textWidth(candidate, f, px) > limit) {
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

// A handwritten-looking signature in ballpoint blue: a smoothed random zigzag.
void signature(Canvas& c, cv::Point centre, Rng& rng, int width = 250)
{
    std::vector<cv::Point2d> pts;
    const int n = rng.uniform(7, 12);
    for (int i = 0; i < n; ++i) {
        const double x = centre.x - width / 2.0 + i * static_cast<double>(width) / (n - 1) + rng.uniform(-12, 12);
        const double y = centre.y + (i % 2 == 0 ? -1 : 1) * rng.uniform(10, 40);
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
    c.setTint(kBlueInk);
    c.polyline(line, 70, 3);
    if (rng.chance(60))
        c.line({centre.x - width * 36 / 100, centre.y + 45}, {centre.x + width * 28 / 100 + rng.uniform(0, 40), centre.y + 38}, 70, 2);
    c.setTint(std::nullopt);
}

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

// Lettering round a circle (top of the letters outwards), starting at the top, clockwise.
void rimText(Canvas& layer, cv::Point centre, int radius, const std::string& text, Font f, int px, int grey)
{
    const auto cs = chars(text);
    std::vector<int> widths;
    int total = 0;
    for (const auto& ch : cs) {
        const int w = ch == " " ? px / 3 : layer.textWidth(ch, f, px);
        widths.push_back(w);
        total += w;
    }
    const double arc = 2 * CV_PI * radius * 0.92;
    const double gap = cs.size() > 1 ? std::max(1.0, (arc - total) / static_cast<double>(cs.size())) : 0.0;
    double theta = -(total + gap * static_cast<double>(cs.size())) / (2.0 * radius); // centred on the top
    for (std::size_t i = 0; i < cs.size(); ++i) {
        const double mid = theta + widths[i] / (2.0 * radius);
        if (cs[i] != " ") {
            const cv::Point2d at(centre.x + radius * std::sin(mid), centre.y - radius * std::cos(mid));
            layer.rotatedText(at, -mid * 180.0 / CV_PI, cs[i], f, px, grey);
        }
        theta += (widths[i] + gap) / radius;
    }
}

// A round red seal multiplied over the page, centred at centre.
void seal(Canvas& c, cv::Point centre, const std::string& rim, int radius = 120)
{
    Canvas layer(2 * radius + 40, 2 * radius + 40, 255, c.scale());
    const cv::Point m(radius + 20, radius + 20);
    layer.setTint(kRedInk);
    layer.circle(m, radius, 120, 6);
    layer.circle(m, radius * 72 / 100, 120, 3);
    rimText(layer, m, radius * 86 / 100, rim, Font::SansBold, std::max(14, radius / 6), 120);
    star(layer, m, radius * 36 / 100, 120);
    c.overlay(layer, {centre.x - m.x, centre.y - m.y});
}

// ---- documents ------------------------------------------------------------------------

struct Flow {
    const DocSpec& spec;
    cv::Scalar paper;
    double scale;
    Rng& rng;
    std::vector<Canvas> pages;
    int y = 0;

    Canvas& c() { return pages.back(); }
    const DocStyle& st() const { return spec.style; }
    int width() const { return st().right - st().left; }

    void newPage()
    {
        pages.emplace_back(kA4W, kA4H, paper, scale);
        y = st().top;
        if (spec.frame) {
            c().rect({70, 70, kA4W - 140, kA4H - 140}, 60, 5);
            c().rect({88, 88, kA4W - 176, kA4H - 176}, 60, 2);
        }
        c().block();
    }
    void need(int h)
    {
        if (y + h > st().bottom)
            newPage();
    }
};

int nationalHeader(Canvas& c, int cx, int top, int px, Font bold)
{
    c.centred(cx, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, px);
    const std::string motto = "Độc lập - Tự do - Hạnh phúc";
    const int w = c.textWidth(motto, bold, px);
    const int y2 = top + px + px / 2;
    c.centred(cx, y2, motto, bold, px);
    c.line({cx - w / 2, y2 + px + 8}, {cx + w / 2, y2 + px + 8}, 30, 2);
    return y2 + px + 8;
}

void drawHeader(Flow& fl)
{
    const DocSpec& s = fl.spec;
    const DocStyle& st = s.style;
    Canvas& c = fl.c();
    const int cx = (st.left + st.right) / 2;
    if (!s.formNo.empty()) {
        const int px = 24;
        c.text(st.right - c.textWidth(s.formNo, st.italic, px), st.top - 75, s.formNo, st.italic, px, st.ink);
        c.block();
    }
    int y = fl.y;
    if (!s.agency.empty()) {
        const int px = 24;
        int wl = 0;
        for (const auto& a : s.agency)
            wl = std::max(wl, c.textWidth(a, st.bold, px));
        const int wr = c.textWidth("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.bold, px);
        require(st.left + wl + 30 < st.right - wr || !s.nationalHeader, "agency and national header overlap");
        const int lx = st.left + wl / 2, rx = st.right - wr / 2;
        int ay = y;
        for (std::size_t i = 0; i < s.agency.size(); ++i) {
            const bool last = i + 1 == s.agency.size();
            c.centred(lx, ay, s.agency[i], last ? st.bold : st.regular, px, st.ink);
            ay += px + px / 2;
        }
        c.line({lx - 80, ay + 4}, {lx + 80, ay + 4}, 30, 2);
        if (!s.agencyNumber.empty()) {
            ay += 22;
            c.centred(lx, ay, s.agencyNumber, st.regular, px, st.ink);
            ay += px + 6;
        }
        c.block();
        y = std::max(ay, s.nationalHeader ? nationalHeader(c, rx, y, px, st.bold) : y);
    } else if (s.nationalHeader) {
        y = nationalHeader(c, cx, y, std::min(st.bodyPx, 32), st.bold);
    }
    if (!s.title.empty()) {
        y += s.agency.empty() && !s.nationalHeader ? 10 : 80;
        c.block();
        for (const auto& l : c.wrap(s.title, st.bold, st.titlePx, fl.width())) {
            c.centred(cx, y, l, st.bold, st.titlePx, st.ink);
            y += st.titlePx * 3 / 2;
        }
        for (const auto& sub : s.subtitle)
            for (const auto& l : c.wrap(sub, st.italic, st.bodyPx - 4, fl.width())) {
                c.centred(cx, y, l, st.italic, st.bodyPx - 4, st.ink);
                y += st.pitch - 8;
            }
        y += s.addressee.empty() ? 30 : 10;
    }
    if (!s.addressee.empty()) {
        c.block();
        c.centred(cx, y, s.addressee, st.regular, st.bodyPx, st.ink);
        y += st.pitch + 24;
    }
    c.block();
    fl.y = y;
}

void drawField(Flow& fl, const Field& f)
{
    const DocStyle& st = fl.st();
    const std::string s = f.value.empty() ? f.label : f.label + " " + f.value;
    const auto lines = fl.c().wrap(s, st.regular, st.bodyPx, fl.width());
    int end = st.left;
    for (const auto& l : lines) {
        fl.need(st.pitch);
        end = fl.c().text(st.left, fl.y, l, st.regular, st.bodyPx, st.ink);
        fl.y += st.pitch;
    }
    if (f.leader)
        fl.c().dots(end, fl.y - st.pitch, st.right, st.regular, st.bodyPx);
}

void drawFieldRow(Flow& fl, const FieldRow& row)
{
    const DocStyle& st = fl.st();
    std::vector<int> xs{st.left};
    for (std::size_t i = 0; i < row.fields.size(); ++i)
        xs.push_back(xs.back() + (i + 1 == row.fields.size() ? st.right - xs.back() : fl.width() * row.percents[i] / 100));
    bool fits = true;
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
        const Field& f = row.fields[i];
        const std::string s = f.value.empty() ? f.label : f.label + " " + f.value;
        if (fl.c().textWidth(s, st.regular, st.bodyPx) + st.bodyPx > xs[i + 1] - xs[i])
            fits = false;
    }
    if (!fits) { // a real form would have had room: fall back to one field a line
        for (const Field& f : row.fields)
            drawField(fl, f);
        return;
    }
    fl.need(st.pitch);
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
        const Field& f = row.fields[i];
        const std::string s = f.value.empty() ? f.label : f.label + " " + f.value;
        const int end = fl.c().text(xs[i], fl.y, s, st.regular, st.bodyPx, st.ink);
        if (f.leader)
            fl.c().dots(end, fl.y, xs[i + 1] - (i + 1 == row.fields.size() ? 0 : st.bodyPx / 2), st.regular, st.bodyPx);
    }
    fl.y += st.pitch;
}

void drawProse(Flow& fl, const Prose& p)
{
    const DocStyle& st = fl.st();
    const Font f = p.bold ? st.bold : p.italic ? st.italic : st.regular;
    const auto lines = wrapIndented(fl.c(), p.text, f, st.bodyPx, fl.width(), p.indent);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        fl.need(st.pitch);
        if (p.centred)
            fl.c().centred((st.left + st.right) / 2, fl.y, lines[i], f, st.bodyPx, st.ink);
        else
            fl.c().text(st.left + (i == 0 ? p.indent : 0), fl.y, lines[i], f, st.bodyPx, st.ink);
        fl.y += st.pitch;
    }
}

void drawTable(Flow& fl, const Table& t)
{
    const DocStyle& st = fl.st();
    const int px = st.bodyPx - 2, pitch = px * 3 / 2 + 4, pad = 12;
    std::vector<int> xs{st.left};
    for (std::size_t i = 0; i < t.percents.size(); ++i)
        xs.push_back(i + 1 == t.percents.size() ? st.right : xs.back() + fl.width() * t.percents[i] / 100);
    require(xs.size() == t.header.size() + 1, "table columns");
    int segTop = 0;
    std::vector<int> rules;
    auto closeSegment = [&] {
        for (int ry : rules)
            fl.c().line({st.left, ry}, {st.right, ry}, 40, 2);
        for (int x : xs)
            fl.c().line({x, segTop}, {x, rules.back()}, 40, 2);
    };
    // header
    std::vector<std::vector<std::string>> head;
    std::size_t headLines = 1;
    for (std::size_t col = 0; col < t.header.size(); ++col) {
        head.push_back(fl.c().wrap(t.header[col], st.bold, px, xs[col + 1] - xs[col] - 2 * pad));
        headLines = std::max(headLines, head.back().size());
    }
    const int headH = 2 * pad + static_cast<int>(headLines - 1) * pitch + px + 6;
    fl.need(headH + 2 * pitch);
    segTop = fl.y;
    rules = {fl.y};
    for (std::size_t col = 0; col < head.size(); ++col)
        for (std::size_t k = 0; k < head[col].size(); ++k)
            fl.c().centred((xs[col] + xs[col + 1]) / 2, fl.y + pad + static_cast<int>(k) * pitch, head[col][k], st.bold, px, st.ink);
    fl.y += headH;
    rules.push_back(fl.y);
    for (const auto& row : t.rows) {
        std::size_t maxLines = 1;
        std::vector<std::vector<std::string>> cells;
        for (std::size_t col = 0; col < row.size(); ++col) {
            cells.push_back(fl.c().wrap(row[col], st.regular, px, xs[col + 1] - xs[col] - 2 * pad));
            maxLines = std::max(maxLines, cells.back().size());
        }
        const int h = 2 * pad + static_cast<int>(maxLines - 1) * pitch + px + 6;
        if (fl.y + h > st.bottom) {
            closeSegment();
            fl.newPage();
            segTop = fl.y;
            rules = {fl.y};
        }
        for (std::size_t col = 0; col < row.size(); ++col) {
            const int x = xs[col] + pad;
            int end = x, lineTop = fl.y + pad;
            for (std::size_t k = 0; k < cells[col].size(); ++k) {
                lineTop = fl.y + pad + static_cast<int>(k) * pitch;
                end = fl.c().text(x, lineTop, cells[col][k], st.regular, px, st.ink);
            }
            if (t.leaders && col > 0)
                fl.c().dots(end, lineTop, xs[col + 1] - pad, st.regular, px);
        }
        fl.y += h;
        rules.push_back(fl.y);
    }
    closeSegment();
    fl.y += 30;
}

void drawSignatures(Flow& fl)
{
    const DocSpec& s = fl.spec;
    const DocStyle& st = s.style;
    if (s.signers.empty())
        return;
    fl.need(40 + (s.placeDate.empty() ? 0 : 56) + 300);
    fl.c().block();
    fl.y += 40;
    const int rightCol = st.right - 330;
    if (!s.placeDate.empty()) {
        const int px = st.bodyPx - 2;
        const int w = fl.c().textWidth(s.placeDate, st.italic, px);
        fl.c().centred(std::min(rightCol, st.right - w / 2), fl.y, s.placeDate, st.italic, px, st.ink);
        fl.y += 56;
    }
    const std::vector<int> cols =
        s.signers.size() == 1 ? std::vector<int>{rightCol} : std::vector<int>{st.left + 300, rightCol};
    for (std::size_t i = 0; i < s.signers.size() && i < cols.size(); ++i) {
        const Signer& g = s.signers[i];
        fl.c().block(); // signature columns are read one after the other
        fl.c().centred(cols[i], fl.y, g.role, st.bold, st.bodyPx, st.ink);
        if (!g.note.empty())
            fl.c().centred(cols[i], fl.y + 46, g.note, st.italic, 24, st.ink);
        signature(fl.c(), {cols[i], fl.y + 150}, fl.rng);
        fl.c().centred(cols[i], fl.y + 250, g.name, st.bold, st.bodyPx, st.ink);
    }
    if (s.seal)
        seal(fl.c(), {cols.back() - 110 + fl.rng.uniform(-20, 20), fl.y + 140 + fl.rng.uniform(-15, 15)}, s.seal->rim);
    fl.y += 300;
}

} // namespace

int mrzCheck(const std::string& s)
{
    static constexpr int kWeights[3] = {7, 3, 1};
    int sum = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        const int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'Z' ? ch - 'A' + 10 : 0;
        sum += v * kWeights[i % 3];
    }
    return sum % 10;
}

std::vector<Canvas> layoutDocument(const DocSpec& spec, cv::Scalar paper, double scale, Rng& rng)
{
    Flow fl{spec, paper, scale, rng, {}, 0};
    fl.newPage();
    drawHeader(fl);
    for (const Item& item : spec.body) {
        if (const auto* f = std::get_if<Field>(&item))
            drawField(fl, *f);
        else if (const auto* r = std::get_if<FieldRow>(&item))
            drawFieldRow(fl, *r);
        else if (const auto* p = std::get_if<Prose>(&item))
            drawProse(fl, *p);
        else if (const auto* t = std::get_if<Table>(&item))
            drawTable(fl, *t);
        else if (const auto* sp = std::get_if<Space>(&item))
            fl.y += sp->px;
        else if (fl.y > spec.style.top) // PageBreak
            fl.newPage();
    }
    drawSignatures(fl);
    if (spec.pageNumbers && fl.pages.size() > 1)
        for (std::size_t i = 0; i < fl.pages.size(); ++i) {
            const std::string s = "Trang " + std::to_string(i + 1) + "/" + std::to_string(fl.pages.size());
            fl.pages[i].block();
            fl.pages[i].centred(kA4W / 2, kA4H - 110, s, spec.style.italic, 22, spec.style.ink);
        }
    return fl.pages;
}

// ---- envelopes ------------------------------------------------------------------------

namespace {

struct EnvelopeGeometry {
    int m, px, pitch;
    cv::Rect stamp;
};

void drawStamp(Canvas& c, const EnvelopeSpec& s, const cv::Rect& stamp)
{
    c.block();
    if (!s.stamp) { // printed postage-paid box instead of a stamp
        c.rect(stamp, 40, 3);
        const int px = fitPx(c, "BƯU CHÍNH VIỆT NAM", Font::SansBold, 22, stamp.width - 20);
        c.centred(stamp.x + stamp.width / 2, stamp.y + stamp.height / 2 - px - 6, "BƯU CHÍNH VIỆT NAM", Font::SansBold, px, 30);
        c.centred(stamp.x + stamp.width / 2, stamp.y + stamp.height / 2 + 6, "ĐÃ THU CƯỚC", Font::Sans, px, 30);
        return;
    }
    c.setTint(cv::Scalar(190, 170, 150));
    c.rect(stamp, 205, -1);
    c.setTint(std::nullopt);
    for (int x = stamp.x; x <= stamp.x + stamp.width; x += 16) {
        c.circle({x, stamp.y}, 5, 255, -1);
        c.circle({x, stamp.y + stamp.height}, 5, 255, -1);
    }
    for (int y = stamp.y; y <= stamp.y + stamp.height; y += 16) {
        c.circle({stamp.x, y}, 5, 255, -1);
        c.circle({stamp.x + stamp.width, y}, 5, 255, -1);
    }
    const cv::Rect inner(stamp.x + 16, stamp.y + 16, stamp.width - 32, stamp.height - 32);
    c.rect(inner, 60, 2);
    const int cx = inner.x + inner.width / 2;
    const int px = fitPx(c, "BƯU CHÍNH", Font::SansBold, stamp.height / 6, inner.width - 12);
    c.centred(cx, inner.y + inner.height / 6, "BƯU CHÍNH", Font::SansBold, px, 30);
    c.centred(cx, inner.y + inner.height / 6 + px * 3 / 2, "VIỆT NAM", Font::Sans, px * 5 / 6, 30);
    c.centred(cx, inner.y + inner.height - px * 3 / 2, s.stampValue, Font::SansBold, px, 30);
}

// Postmark beside/over the stamp; waves from wavesLeft to the circle, at wavesTop.
void drawPostmark(Canvas& c, const Postmark& p, cv::Point centre, int radius, int wavesLeft, int wavesTop, int wavesRows)
{
    const int left = std::min(wavesLeft, centre.x - radius - 20);
    const int top = std::min(wavesTop, centre.y - radius) - 20;
    const int right = centre.x + radius + 20, bottom = std::max(centre.y + radius, wavesTop + wavesRows * 22 + 20) + 20;
    Canvas layer(right - left, bottom - top, 255, c.scale());
    layer.setTint(p.purple ? kPurpleInk : cv::Scalar(60, 50, 45));
    const cv::Point m(centre.x - left, centre.y - top);
    layer.circle(m, radius, p.ink, 3);
    layer.circle(m, radius * 70 / 100, p.ink, 2);
    rimText(layer, m, radius * 85 / 100, p.rim, Font::SansBold, std::max(12, radius / 6), p.ink);
    const int dpx = std::max(14, radius * 30 / 100);
    layer.centred(m.x, m.y - dpx, p.date, Font::SansBold, dpx, p.ink, false);
    layer.centred(m.x, m.y + 4, p.hour, Font::SansBold, dpx * 4 / 5, p.ink, false);
    for (int k = 0; k < wavesRows; ++k) {
        std::vector<cv::Point> wave;
        for (int x = wavesLeft - left; x <= m.x - radius - 6; x += 6)
            wave.emplace_back(x, wavesTop - top + k * 22 + static_cast<int>(7 * std::sin(x / 14.0)));
        if (wave.size() > 1)
            layer.polyline(wave, p.ink, 3);
    }
    c.overlay(layer, {left, top});
    // the date inside the ring is printed in straight lines: it is part of the text
    c.block();
    const int w1 = layer.textWidth(p.date, Font::SansBold, dpx);
    c.note(centre.x - w1 / 2, centre.y - dpx, p.date, dpx);
    const int w2 = layer.textWidth(p.hour, Font::SansBold, dpx * 4 / 5);
    c.note(centre.x - w2 / 2, centre.y + 4, p.hour, dpx * 4 / 5);
}

cv::Rect drawLabel(Canvas& c, const PostalLabel& l, cv::Point at, bool alignRight, int module)
{
    c.block();
    const int barHeight = 30 * module;
    const int boxW = Canvas::code128Width(l.tracking, module) + 24;
    const int boxH = 44 + barHeight + 10 + 34 + 14 + (l.extra.empty() ? 0 : 30);
    const cv::Rect box(alignRight ? at.x - boxW : at.x, at.y, boxW, boxH);
    c.rect(box, 255, -1);
    c.rect(box, 30, 2);
    const int hpx = fitPx(c, l.service, Font::SansBold, 22, boxW - 20);
    c.centred(box.x + box.width / 2, box.y + 10, l.service, Font::SansBold, hpx);
    const cv::Rect bars = c.code128({box.x + 12, box.y + 44}, l.tracking, module, barHeight);
    const std::string human = l.spaced ? s10Spaced(l.tracking) : l.tracking;
    c.centred(box.x + box.width / 2, bars.y + bars.height + 10, human, Font::Sans, 28);
    if (!l.extra.empty())
        c.centred(box.x + box.width / 2, bars.y + bars.height + 46, l.extra, Font::Sans, fitPx(c, l.extra, Font::Sans, 20, boxW - 20));
    return box;
}

// Lines of "label value" wrapped to maxWidth, continuation lines under the value.
int drawLabelled(Canvas& c, int x, int y, int pitch, const std::string& label, const std::string& value, Font f, int px,
                 int maxWidth, int& right)
{
    if (value.empty())
        return y;
    const std::string s = label + " " + value;
    const auto lines = c.wrap(s, f, px, maxWidth);
    const int indent = std::min(c.textWidth(label + " ", f, px), maxWidth / 3);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        right = std::max(right, c.text(x + (i == 0 ? 0 : indent), y, lines[i], f, px));
        y += pitch;
    }
    return y;
}

} // namespace

Canvas drawEnvelope(const EnvelopeSpec& s, double scale, Rng& rng)
{
    const int W = s.size.width, H = s.size.height;
    Canvas c(W, H, s.paper, scale);
    const int px = s.sizeName == "C4" ? 36 : s.sizeName == "C5" ? 30 : 28;
    const int pitch = px * 5 / 3, m = s.sizeName == "C4" ? 100 : s.sizeName == "C5" ? 80 : 70;
    const int stampW = px * 8, stampH = px * 11 / 2;
    const cv::Rect stamp(W - m - stampW, m, stampW, stampH);
    const int pmRadius = px * 5 / 2;
    const cv::Point pmCentre(stamp.x - pmRadius / 2 + rng.uniform(-10, 10), stamp.y + stamp.height / 2 + rng.uniform(0, 20));
    const int module = 3;

    // Sender block, top left.
    c.block();
    int senderRightLimit = s.postmark && !s.postmark->overText ? pmCentre.x - pmRadius - 60 - 150 : stamp.x - 40;
    if (s.label && s.layout != 1) // the label hangs under the stamp: keep the sender block left of it
        senderRightLimit = std::min(senderRightLimit, W - m - (Canvas::code128Width(s.label->tracking, module) + 24) - 40);
    const int senderMax = senderRightLimit - m;
    int senderRight = m, y = m;
    if (s.layout == 2) {
        const int boxW = std::min(senderMax, W * 52 / 100);
        c.text(m + 16, y, s.senderLabel, s.fontBold, px);
        y += pitch;
        y = drawLabelled(c, m + 16, y, pitch, "Họ tên:", s.senderName, s.font, px, boxW - 32, senderRight);
        y = drawLabelled(c, m + 16, y, pitch, s.addressLabel, s.senderAddress, s.font, px, boxW - 32, senderRight);
        y = drawLabelled(c, m + 16, y, pitch, s.phoneLabel, s.senderPhone, s.font, px, boxW - 32, senderRight);
        c.rect({m, m - 14, boxW, y - m + 10}, 60, 2);
        senderRight = m + boxW;
    } else {
        y = drawLabelled(c, m, y, pitch, s.senderLabel, s.senderName, s.font, px, senderMax, senderRight);
        y = drawLabelled(c, m, y, pitch, s.addressLabel, s.senderAddress, s.font, px, senderMax, senderRight);
        y = drawLabelled(c, m, y, pitch, s.phoneLabel, s.senderPhone, s.font, px, senderMax, senderRight);
    }
    const int senderBottom = y;

    drawStamp(c, s, stamp);
    if (s.postmark) {
        int wavesLeft, wavesTop, rows = 4;
        if (s.postmark->overText) { // cancellation waves across the sender's lines
            wavesLeft = std::max(m - 10, senderRight - rng.uniform(250, 450));
            wavesTop = m + rng.uniform(0, std::max(1, senderBottom - m - 3 * 22));
            rows = std::clamp((senderBottom - wavesTop) / 22, 3, 5);
        } else {
            wavesLeft = pmCentre.x - pmRadius - 40 - 150;
            wavesTop = pmCentre.y - 30;
        }
        drawPostmark(c, *s.postmark, pmCentre, pmRadius, wavesLeft, wavesTop, rows);
    }

    // Postal label.
    cv::Rect label;
    if (s.label) {
        if (s.layout == 1) {
            const int boxH = 44 + 30 * module + 58 + (s.label->extra.empty() ? 0 : 30);
            label = drawLabel(c, *s.label, {m, std::max(senderBottom + 30, H - m - boxH)}, false, module);
        } else {
            label = drawLabel(c, *s.label, {W - m, stamp.y + stamp.height + 36}, true, module);
        }
        require(label.x > senderRight + 20 || label.y > senderBottom + 10, "sender block runs into the postal label");
        require(label.y + label.height <= H - 10, "postal label below the envelope");
    }

    // Recipient block.
    c.block();
    const int rx = s.layout == 1 ? std::max(W * 45 / 100, label.x + label.width + 40) : W * 36 / 100;
    const int lines = static_cast<int>(s.recipient.size());
    int rtop = s.layout == 1 ? std::max(senderBottom + pitch, H / 2 - lines * pitch / 2)
                             : std::max(label.height > 0 ? label.y + label.height + 40 : senderBottom + pitch,
                                        H - m - lines * pitch - 20);
    if (s.layout == 2) {
        const int boxTop = rtop - 14;
        c.text(rx + 16, rtop, "NGƯỜI NHẬN", s.fontBold, px);
        rtop += pitch;
        int yy = rtop, right = rx;
        for (const auto& l : s.recipient) {
            for (const auto& w : c.wrap(l, s.font, px, W - m - rx - 32)) {
                right = std::max(right, c.text(rx + 16, yy, w, s.font, px));
                yy += pitch;
            }
        }
        c.rect({rx, boxTop, W - m - rx, yy - boxTop + 4}, 60, 2);
        require(yy < H - 10, "recipient box below the envelope");
    } else {
        int yy = rtop;
        for (const auto& l : s.recipient)
            for (const auto& w : c.wrap(l, s.font, px, W - m - rx)) {
                c.text(rx, yy, w, s.font, px);
                yy += pitch;
            }
        require(yy < H - 10, "recipient block below the envelope");
    }
    return c;
}

// ---- ID cards -------------------------------------------------------------------------

namespace {

constexpr int kCardW = 674, kCardH = 425; // 85.6 x 54 mm

struct CardText {
    Canvas& c;
    int x, y, width, px, pitch;
    Font f = Font::Sans;
    void line(const std::string& t, bool bold = false)
    {
        for (const auto& l : c.wrap(t, bold ? Font::SansBold : f, px, width)) {
            c.text(x, y, l, bold ? Font::SansBold : f, px, 30);
            y += pitch;
        }
    }
    int lines(const std::vector<std::pair<std::string, bool>>& all) const
    {
        int n = 0;
        for (const auto& [t, bold] : all)
            n += static_cast<int>(c.wrap(t, bold ? Font::SansBold : f, px, width).size());
        return n;
    }
};

// Draws lines in [x, x+width] from y, shrinking the type until they end above bottom.
int cardLines(Canvas& c, int x, int y, int width, int bottom, const std::vector<std::pair<std::string, bool>>& all,
              int px = 17)
{
    for (; px >= 11; --px) {
        CardText probe{c, x, y, width, px, px * 7 / 5};
        if (y + probe.lines(all) * probe.pitch <= bottom)
            break;
    }
    CardText t{c, x, y, width, px, px * 7 / 5};
    for (const auto& [s, bold] : all)
        t.line(s, bold);
    require(t.y <= bottom + 2, "ID card text overflows the card");
    return t.y;
}

void cardBody(Canvas& c, const cv::Rect& r)
{
    c.setTint(cv::Scalar(215, 222, 200));
    c.roundedRect(r, 28, 222, -1);
    c.setTint(std::nullopt);
    c.roundedRect(r, 28, 55, 3);
}

void photo(Canvas& c, const cv::Rect& ph)
{
    c.rect(ph, 160, -1);
    c.ellipse({ph.x + ph.width / 2, ph.y + ph.height * 39 / 100}, {ph.width * 27 / 100, ph.height / 4}, 95, -1);
    c.ellipse({ph.x + ph.width / 2, ph.y + ph.height - 1}, {ph.width * 45 / 100, ph.height * 31 / 100}, 95, -1, 180, 360);
    c.rect(ph, 90, 1);
}

void republicHeader(Canvas& c, int left, int right, int top, const std::string& title, const std::string& subtitle)
{
    const int cx = (left + right) / 2;
    const std::string rep = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    c.centred(cx, top, rep, Font::SansBold, fitPx(c, rep, Font::SansBold, 17, right - left), 30);
    const std::string motto = "Độc lập - Tự do - Hạnh phúc";
    c.centred(cx, top + 24, motto, Font::SansBold, fitPx(c, motto, Font::SansBold, 15, right - left), 30);
    c.centred(cx, top + 52, title, Font::SansBold, fitPx(c, title, Font::SansBold, 26, right - left), 30);
    if (!subtitle.empty())
        c.centred(cx, top + 84, subtitle, Font::Sans, 15, 30);
}

void mrz(Canvas& c, const cv::Rect& card, const std::vector<std::string>& lines)
{
    if (lines.empty())
        return;
    c.block();
    const int px = fitPx(c, lines.front(), Font::Mono, 22, card.width - 50);
    int y = card.y + card.height - 18 - static_cast<int>(lines.size()) * (px + 6);
    for (const auto& l : lines) {
        c.text(card.x + 25, y, l, Font::Mono, px, 30);
        y += px + 6;
    }
}

void fingerprints(Canvas& c, int x, int y)
{
    for (int k = 0; k < 2; ++k) {
        const cv::Rect box(x + k * 122, y, 110, 140);
        c.rect(box, 80, 1);
        const cv::Point centre(box.x + 55, box.y + 62);
        for (int r = 8; r <= 40; r += 6)
            c.ellipse(centre, {r, r + r / 3}, 120, 1);
        c.centred(box.x + 55, box.y + 112, k == 0 ? "Ngón trỏ trái" : "Ngón trỏ phải", Font::Sans, 14, 30);
    }
}

void cccdFront(Canvas& c, const IdCardSpec& s, const cv::Rect& r)
{
    cardBody(c, r);
    c.block();
    const int qrSide = Canvas::qrWidth(s.qrPayload, 4);
    const cv::Rect qr = c.qr({r.x + r.width - 14 - qrSide, r.y + 14}, s.qrPayload, 4);
    republicHeader(c, r.x + 18, qr.x - 8, r.y + 22, "CĂN CƯỚC CÔNG DÂN", "");
    c.block();
    require(c.text(r.x + 22, r.y + 112, "Số / No.: " + s.number, Font::SansBold, 20, 30) < qr.x - 8, "ID number runs into the QR code");
    photo(c, {r.x + 22, r.y + 155, 150, 200});
    c.block();
    const int top = std::max(qr.y + qr.height + 6, r.y + 160);
    cardLines(c, r.x + 190, top, r.width - 206, r.y + r.height - 34,
              {{"Họ và tên / Full name: " + s.fullName, false},
               {"Ngày sinh / Date of birth: " + s.dateOfBirth, false},
               {"Giới tính / Sex: " + s.sex + " - Quốc tịch / Nationality: " + s.nationality, false},
               {"Quê quán / Place of origin: " + s.origin, false},
               {"Nơi thường trú / Place of residence: " + s.residence, false}});
    c.block();
    c.text(r.x + 22, r.y + r.height - 34, "Có giá trị đến: " + s.expiryDate, Font::Sans, 13, 30);
}

void cccdBack(Canvas& c, const IdCardSpec& s, const cv::Rect& r, Rng& rng)
{
    cardBody(c, r);
    c.block();
    const int leftW = 380;
    int y = cardLines(c, r.x + 22, r.y + 24, leftW, r.y + 120, {{"Đặc điểm nhân dạng: " + s.features, false}});
    y += 6;
    c.text(r.x + 22, y, "Ngày, tháng, năm: " + s.issueDate, Font::Sans, 17, 30);
    y += 30;
    const int signCx = r.x + 22 + leftW / 2;
    for (const auto& l : c.wrap(s.issuer, Font::SansBold, 15, leftW)) {
        c.centred(signCx, y, l, Font::SansBold, 15, 30);
        y += 20;
    }
    c.setTint(kRedInk);
    c.circle({signCx - 60, y + 34}, 40, 150, 3);
    star(c, {signCx - 60, y + 34}, 16, 150);
    c.setTint(std::nullopt);
    signature(c, {signCx + 30, y + 30}, rng, 160);
    c.block();
    fingerprints(c, r.x + 420, r.y + 24);
    const cv::Rect chip(r.x + 470, r.y + 180, 100, 70);
    c.roundedRect(chip, 12, 170, -1);
    c.roundedRect(chip, 12, 80, 2);
    mrz(c, r, s.mrz);
}

void canCuocFront(Canvas& c, const IdCardSpec& s, const cv::Rect& r)
{
    cardBody(c, r);
    c.block();
    republicHeader(c, r.x + 150, r.x + r.width - 20, r.y + 18, "CĂN CƯỚC", "IDENTITY CARD");
    // emblem
    c.circle({r.x + 80, r.y + 70}, 52, 120, 3);
    star(c, {r.x + 80, r.y + 70}, 26, 120);
    photo(c, {r.x + 22, r.y + 160, 150, 200});
    // chip
    c.roundedRect({r.x + 60, r.y + 370, 66, 42}, 8, 170, -1);
    c.block();
    cardLines(c, r.x + 190, r.y + 128, r.width - 206, r.y + r.height - 16,
              {{"Số định danh cá nhân / Personal identification number:", false},
               {s.number, true},
               {"Họ, chữ đệm và tên khai sinh / Surname, middle and given name:", false},
               {s.fullName, true},
               {"Ngày, tháng, năm sinh / Date of birth: " + s.dateOfBirth, false},
               {"Giới tính / Sex: " + s.sex + " - Quốc tịch / Nationality: " + s.nationality, false}},
              16);
}

void canCuocBack(Canvas& c, const IdCardSpec& s, const cv::Rect& r)
{
    cardBody(c, r);
    c.block();
    const int qrSide = Canvas::qrWidth(s.qrPayload, 4);
    c.qr({r.x + 16, r.y + 16}, s.qrPayload, 4);
    const int mrzTop = r.y + r.height - 18 - 3 * 28;
    cardLines(c, r.x + 16 + qrSide + 14, r.y + 20, r.width - qrSide - 50, mrzTop - 10,
              {{"Nơi cư trú / Place of residence: " + s.residence, false},
               {"Nơi đăng ký khai sinh / Place of birth: " + s.placeOfBirth, false},
               {"Ngày, tháng, năm cấp / Date of issue: " + s.issueDate, false},
               {"Ngày, tháng, năm hết hạn / Date of expiry: " + s.expiryDate, false},
               {"BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY", true}},
              16);
    mrz(c, r, s.mrz);
}

void cmndFront(Canvas& c, const IdCardSpec& s, const cv::Rect& r)
{
    c.setTint(cv::Scalar(225, 215, 235));
    c.roundedRect(r, 20, 226, -1);
    c.setTint(std::nullopt);
    c.roundedRect(r, 20, 55, 3);
    c.block();
    republicHeader(c, r.x + 190, r.x + r.width - 16, r.y + 18, "GIẤY CHỨNG MINH NHÂN DÂN", "");
    c.circle({r.x + 95, r.y + 90}, 62, 120, 3);
    star(c, {r.x + 95, r.y + 90}, 30, 120);
    photo(c, {r.x + 30, r.y + 175, 130, 170});
    c.block();
    c.text(r.x + 200, r.y + 112, "SỐ " + s.number, Font::SansBold, 24, 30);
    cardLines(c, r.x + 190, r.y + 155, r.width - 206, r.y + r.height - 14,
              {{"Họ tên: " + s.fullName, false},
               {"Sinh ngày: " + s.dateOfBirth, false},
               {"Nguyên quán: " + s.origin, false},
               {"Nơi ĐKHK thường trú: " + s.residence, false}},
              18);
}

void cmndBack(Canvas& c, const IdCardSpec& s, const cv::Rect& r, Rng& rng)
{
    c.setTint(cv::Scalar(225, 215, 235));
    c.roundedRect(r, 20, 226, -1);
    c.setTint(std::nullopt);
    c.roundedRect(r, 20, 55, 3);
    c.block();
    int y = cardLines(c, r.x + 22, r.y + 22, 400, r.y + 150,
                      {{"Dân tộc: " + s.ethnicity + ". Tôn giáo: Không", false},
                       {"DẤU VẾT RIÊNG VÀ DỊ HÌNH", true},
                       {s.features, false}},
                      17);
    c.text(r.x + 22, y + 6, "Ngày " + s.issueDate, Font::Sans, 17, 30);
    c.centred(r.x + 220, y + 36, s.issuer, Font::SansBold, fitPx(c, s.issuer, Font::SansBold, 15, 380), 30);
    c.setTint(kRedInk);
    c.circle({r.x + 160, y + 110}, 48, 150, 3);
    star(c, {r.x + 160, y + 110}, 18, 150);
    c.setTint(std::nullopt);
    signature(c, {r.x + 250, y + 105}, rng, 160);
    c.block();
    fingerprints(c, r.x + 420, r.y + 24);
}

} // namespace

Canvas drawIdCard(const IdCardSpec& s, cv::Scalar paper, double scale, Rng& rng)
{
    Canvas c(kA4W, kA4H, paper, scale);
    cv::Rect front, back;
    if (s.sideBySide) {
        const int gap = 60, x0 = (kA4W - 2 * kCardW - gap) / 2 + s.offsetX;
        front = {x0, 300 + s.offsetY, kCardW, kCardH};
        back = {x0 + kCardW + gap, 300 + s.offsetY, kCardW, kCardH};
    } else {
        front = {(kA4W - kCardW) / 2 + s.offsetX, 300 + s.offsetY, kCardW, kCardH};
        back = {front.x, front.y + kCardH + 120, kCardW, kCardH};
    }
    switch (s.kind) {
    case CardKind::Cccd2021:
        cccdFront(c, s, front);
        cccdBack(c, s, back, rng);
        break;
    case CardKind::CanCuoc2024:
        canCuocFront(c, s, front);
        canCuocBack(c, s, back);
        break;
    case CardKind::Cmnd:
        cmndFront(c, s, front);
        cmndBack(c, s, back, rng);
        break;
    }
    if (!s.certification.empty()) {
        // certification stamp (straight lines: part of the text), signature and seal
        const int x = 860, top = back.y + back.height + 110;
        Canvas layer(700, 60 + 40 * static_cast<int>(s.certification.size()), 255, scale);
        layer.setTint(kPurpleInk);
        layer.rect({4, 4, 692, layer.height() - 8}, 110, 3);
        c.block();
        int y = 24;
        for (std::size_t i = 0; i < s.certification.size(); ++i) {
            const Font f = i == 0 ? Font::SansBold : Font::Sans;
            const int px = fitPx(layer, s.certification[i], f, 24, 660);
            layer.centred(350, y, s.certification[i], f, px, 110, false);
            c.note(x + 350 - layer.textWidth(s.certification[i], f, px) / 2, top + y, s.certification[i], px);
            y += 40;
        }
        c.overlay(layer, {x, top});
        const int sy = top + layer.height() + 40;
        c.block();
        c.centred(x + 350, sy, s.certifierRole, Font::SerifBold, 28);
        signature(c, {x + 350, sy + 120}, rng);
        c.centred(x + 350, sy + 220, s.certifierName, Font::SerifBold, 28);
        seal(c, {x + 350 - 120, sy + 110}, s.certifierSealRim, 110);
        require(sy + 280 < kA4H - 60, "certification below the page");
    }
    return c;
}

Canvas drawSeparator(const std::string& code, const std::string& heading, cv::Scalar paper, double scale)
{
    Canvas c(kA4W, kA4H, paper, scale);
    if (!heading.empty()) {
        const int px = fitPx(c, heading, Font::SansBold, 80, 1284);
        c.centred(827, 780, heading, Font::SansBold, px, 20);
    }
    constexpr int module = 6, height = 320;
    const int w = Canvas::code128Width(code, module);
    c.code128({827 - w / 2, 1010}, code, module, height);
    c.block();
    c.centred(827, 1010 + height + 30, code, Font::Sans, 40, 20);
    return c;
}

} // namespace samplegen::corpus
