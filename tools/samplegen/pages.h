// The kinds of page found in a postal dossier — envelope, form or supporting document,
// ID card copy, blank back side, separator sheet — each drawn upright and clean from its
// content at 200 dpi, together with the text and barcodes it carries.
#pragma once

#include "render.h"
#include "rng.h"

#include <opencv2/core.hpp>

#include <string>
#include <variant>
#include <vector>

namespace samplegen {

inline const cv::Size kA4{1654, 2339};         // 210 x 297 mm
inline const cv::Size kEnvelopeDL{1732, 866};  // 220 x 110 mm
inline const cv::Size kEnvelopeC5{1803, 1276}; // 229 x 162 mm

// A drawn page before scanning.
struct PageImage {
    cv::Mat grey;
    std::string text;              // printed text, lines joined with '\n', no dot leaders
    std::vector<Barcode> barcodes; // what the page's barcodes encode
};

struct EnvelopeSpec {
    cv::Size size;
    int paper = 235;
    std::string senderName, senderAddress, senderPhone;
    std::string service;  // heading of the postal label, e.g. "EMS - CHUYỂN PHÁT NHANH"
    std::string tracking; // S10 identifier, barcoded and printed spaced under the bars
    std::vector<std::string> recipient; // lines of the addressee block; empty: the commune centre
};

// Body of a form or document.
struct Field {           // "label value ......" filled with a dot leader; value may be empty
    std::string label, value;
};
struct Prose {           // wrapped paragraph
    std::string text;
    bool bold = false;
    bool centred = false;
};
struct Table {           // ruled table, values wrapped in their cells and dot-led
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> widths; // px per column, summing to the text width
};
using BodyItem = std::variant<Field, Prose, Table>;

struct Signer {
    std::string role, note, name;
};

struct DocumentSpec {
    std::vector<std::string> agency; // issuing body, top left (shares the top with the national header)
    bool nationalHeader = true;
    std::string title;
    std::string addressee; // "Kính gửi: ..."
    std::vector<BodyItem> body;
    std::string placeDate;       // over the signature(s)
    std::vector<Signer> signers; // one (right column) or two (left and right)
    bool seal = false;           // round seal over the right-hand signature
    std::string qr;              // QR code left of a single signature (e.g. the dossier code)
};

struct IdCardSpec {
    std::string number, fullName, dateOfBirth, sex, origin, residence; // as printed on the front
    std::string qrPayload;
    std::string features, issueDate; // back side
};

PageImage envelope(const EnvelopeSpec& spec);
PageImage document(const DocumentSpec& spec, int paper, Rng& rng);
PageImage idCardCopy(const IdCardSpec& spec, int paper, Rng& rng);
PageImage blankBackSide(int paper, int showThrough);
PageImage separatorSheet(const std::string& code, int paper);

} // namespace samplegen
