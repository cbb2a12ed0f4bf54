// Page layouts of the scan corpus (intake-samplegen --corpus): documents that flow over as many
// A4 pages as their content needs (continuation pages carry no national header), envelopes of
// several sizes and layouts with postal labels and postmarks, ID card copies of three card
// generations, separator sheets. Each returns Canvas drawings (display lists at a given scale)
// that record their own truth text and barcodes; painting happens later, in worker threads.
#pragma once

#include "render.h"
#include "rng.h"

#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace samplegen::corpus {

// Typography and margins of one document, in layout units (200 dpi pixels, A4 = 1654 x 2339).
struct DocStyle {
    Font regular = Font::NotoSerif, bold = Font::NotoSerifBold, italic = Font::NotoSerifItalic;
    int bodyPx = 30;
    int pitch = 56;
    int left = 200, right = 1484, top = 170, bottom = 2169;
    int titlePx = 40;
    int ink = 25;
};

struct Field {     // "label value ......": a dot leader to the right margin; value may be empty
    std::string label, value;
    bool leader = true;
};
struct FieldRow {  // several fields on one line, each with its own leader up to its column end
    std::vector<Field> fields;
    std::vector<int> percents; // column widths, percent of the text width
};
struct Prose {
    std::string text;
    bool bold = false, centred = false, italic = false;
    int indent = 0;
};
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> percents;
    bool leaders = true; // dot leaders after the values (not in the first column)
};
struct Space {
    int px = 20;
};
struct PageBreak {};
using Item = std::variant<Field, FieldRow, Prose, Table, Space, PageBreak>;

struct Signer {
    std::string role, note, name;
};

struct Seal {                 // round red seal: lettering round the rim, a star in the middle
    std::string rim;          // e.g. "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ * TỈNH LONG AN *"
};

struct DocSpec {
    DocStyle style;
    std::vector<std::string> agency; // issuing body, top left, beside the national header
    std::string agencyNumber;        // "Số: 125/GCS" under the agency
    bool nationalHeader = true;
    std::string formNo;              // "Mẫu số 04/ĐK", top right
    std::string title;
    std::vector<std::string> subtitle; // italic lines under the title
    std::string addressee;             // "Kính gửi: ..."
    std::vector<Item> body;
    std::string placeDate;
    std::vector<Signer> signers;       // one (right column) or two (left and right)
    std::optional<Seal> seal;          // over the right-hand signature
    bool frame = false;                // certificate border
    bool pageNumbers = false;          // "Trang 1/2" at the foot of every page
};

// Lays the document out over as many pages as it needs (PageBreak forces one).
std::vector<Canvas> layoutDocument(const DocSpec& spec, cv::Scalar paper, double scale, Rng& rng);

struct PostalLabel {
    std::string service;  // "EMS - CHUYỂN PHÁT NHANH"
    std::string tracking; // S10 identifier in the Code128
    bool spaced = true;   // human-readable "EE 123 456 785 VN" or "EE123456785VN"
    std::string extra;    // a line under the number, e.g. "KL: 120g - Cước: 35.000đ" ("" for none)
};

struct Postmark {
    std::string rim;        // office name round the rim
    std::string date;       // straight, in the middle: "20.11.26"
    std::string hour;       // "10H"
    bool overText = false;  // cancellation waves run across the sender block
    int ink = 90;
    bool purple = false;
};

struct EnvelopeSpec {
    std::string sizeName; // DL, C5, C4
    cv::Size size;        // layout units
    cv::Scalar paper;
    int layout = 0;       // 0 label under the stamp; 1 label bottom left; 2 boxed "NGƯỜI GỬI" form
    Font font = Font::Sans, fontBold = Font::SansBold;
    std::string senderLabel = "Người gửi:", addressLabel = "Địa chỉ:", phoneLabel = "Điện thoại:";
    std::string senderName;   // as printed
    std::string senderAddress;
    std::string senderPhone;  // as printed; "" for none
    std::vector<std::string> recipient; // lines, the first "Người nhận: ..."
    bool stamp = true;        // postage stamp (else a printed "postage paid" box)
    std::string stampValue = "4.000đ";
    std::optional<PostalLabel> label;
    std::optional<Postmark> postmark;
};

Canvas drawEnvelope(const EnvelopeSpec& spec, double scale, Rng& rng);

enum class CardKind { Cccd2021, CanCuoc2024, Cmnd };

struct IdCardSpec {
    CardKind kind = CardKind::Cccd2021;
    std::string number, fullName /* printed, capitals */, dateOfBirth, sex, nationality = "Việt Nam";
    std::string origin, residence, placeOfBirth, ethnicity = "Kinh";
    std::string qrPayload;          // Cccd2021: on the front; CanCuoc2024: on the back; Cmnd: none
    std::string features, issueDate, expiryDate, issuer;
    std::vector<std::string> mrz;   // three lines on the back (none on a CMND)
    bool sideBySide = false;        // front and back next to each other instead of one above the other
    int offsetX = 0, offsetY = 0;   // where the copier put the card
    // "Chứng thực bản sao đúng với bản chính" block under the card, when certified.
    std::vector<std::string> certification; // stamp lines; empty: not certified
    std::string certifierRole, certifierName, certifierSealRim;
};

Canvas drawIdCard(const IdCardSpec& spec, cv::Scalar paper, double scale, Rng& rng);

// Separator sheet: a Code128 of code, with a heading (may be empty).
Canvas drawSeparator(const std::string& code, const std::string& heading, cv::Scalar paper, double scale);

// MRZ check digit (ICAO 9303: weights 7 3 1, '<' = 0, A = 10).
int mrzCheck(const std::string& s);

} // namespace samplegen::corpus
