#include "batch.h"

#include "output.h"
#include "pages.h"
#include "s10.h"
#include "scan.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace samplegen {

namespace {

using Json = nlohmann::ordered_json;

struct Page {
    std::string type; // envelope, application_form, id_card, supporting_document, blank, separator
    PageImage image;
    bool upsideDown = false;
};

struct ScanFile {
    std::string name;
    FileFormat format;
    std::vector<int> pages; // batch page numbers, 1-based
};

struct Applicant {
    std::string fullName, idNumber, dateOfBirth /* dd/mm/yyyy */, sex, address, source;
};

struct Procedure {
    std::string id, code, name, department;
};

struct Dossier {
    std::vector<int> pages;
    std::optional<std::string> tracking;
    std::optional<EnvelopeSpec> envelope;
    Applicant applicant;
    Procedure procedure;
};

const Procedure kBirth{"birth_registration", "1.001193", "Đăng ký khai sinh", "office"};
const Procedure kMarriage{"marriage_registration", "1.000894", "Đăng ký kết hôn", "office"};
const Procedure kDeath{"death_registration", "1.000656", "Đăng ký khai tử", "office"};
const Procedure kBusiness{"business_household_registration", "1.001612", "Đăng ký thành lập hộ kinh doanh", "economic"};

const std::string kSign = "(Ký, ghi rõ họ, chữ đệm, tên)";
const std::string kAddressee = "Kính gửi: Ủy ban nhân dân xã Tân Phú";

// "15/03/1990" -> "1990-03-15"
std::string isoDate(const std::string& dmy)
{
    if (dmy.size() != 10 || dmy[2] != '/' || dmy[5] != '/')
        throw std::invalid_argument("bad date " + dmy);
    return dmy.substr(6, 4) + "-" + dmy.substr(3, 2) + "-" + dmy.substr(0, 2);
}

// "15/03/1990" -> "15031990", the CCCD QR date form
std::string qrDate(const std::string& dmy) { return dmy.substr(0, 2) + dmy.substr(3, 2) + dmy.substr(6, 4); }

// Distinct skew angles in hundredths of a degree, |a| in [0.25, 2.00].
std::vector<double> skewAngles(Rng& rng, std::size_t n)
{
    std::set<int> used;
    std::vector<double> out;
    while (out.size() < n) {
        const int a = rng.uniform(-200, 200);
        if ((a > -25 && a < 25) || !used.insert(a).second)
            continue;
        out.push_back(a / 100.0);
    }
    return out;
}

// Sensor noise sigma 4 everywhere: per pixel on the JPEG-coded pages (JPEG, PDF); elsewhere
// in 4x4-pixel grains, because per-pixel noise does not compress (an A4 PNG would be ~2.5 MB,
// a WebP ~0.9 MB) and the batch has to stay small enough to commit.
int grainFor(FileFormat f) { return f == FileFormat::Jpeg || f == FileFormat::Pdf ? 1 : 4; }

Json truthPage(int number, const Page& page, const ScanFile& file, int sourcePage)
{
    Json barcodes = Json::array();
    for (const Barcode& b : page.image.barcodes)
        barcodes.push_back({{"format", b.format}, {"text", b.text}});
    return {{"number", number},
            {"source_file", file.name},
            {"source_page", sourcePage},
            {"type", page.type},
            {"rotation", page.upsideDown ? 180 : 0},
            {"blank", page.type == "blank"},
            {"barcodes", barcodes},
            {"text", page.image.text}};
}

} // namespace

void writeBatch01(const std::filesystem::path& dir, std::uint32_t seed)
{
    // The S10 numbers: two valid ones and one with a wrong check digit on purpose.
    if (s10CheckDigit("12345678") != 5 || s10CheckDigit("98765432") != 6 || !s10Valid("EE123456785VN") ||
        !s10Valid("RR987654326VN") || s10Valid("EE123456789VN"))
        throw std::logic_error("S10 check digits are not what the batch expects");

    Rng rng(seed);

    // ---- Dossier 1: birth registration -------------------------------------------------
    const EnvelopeSpec env1{kEnvelopeDL, 235, "Nguyễn Văn An",
                            "Số 12, thôn Đông, xã Tân Phú, huyện Đức Hòa, tỉnh Long An", "0912345678",
                            "EMS - CHUYỂN PHÁT NHANH", "EE123456785VN"};
    DocumentSpec birthForm;
    birthForm.title = "TỜ KHAI ĐĂNG KÝ KHAI SINH";
    birthForm.addressee = kAddressee;
    birthForm.body = {
        Field{"Họ, chữ đệm, tên người yêu cầu:", "Nguyễn Văn An"},
        Field{"Số định danh cá nhân:", "079090001234"},
        Field{"Ngày, tháng, năm sinh:", "15/03/1990"},
        Field{"Giới tính:", "Nam"},
        Field{"Nơi cư trú:", "Số 12, thôn Đông, xã Tân Phú, huyện Đức Hòa, tỉnh Long An"},
        Field{"Quan hệ với người được khai sinh:", "Cha"},
        Prose{"Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"},
        Field{"Họ, chữ đệm, tên:", "Nguyễn Minh Khang"},
        Field{"Ngày, tháng, năm sinh:", "02/10/2026"},
        Field{"Giới tính:", "Nam"},
        Field{"Dân tộc:", ""},
        Field{"Quốc tịch:", ""},
        Field{"Nơi sinh:", "Bệnh viện Đa khoa tỉnh Long An"},
        Field{"Quê quán:", ""},
        Prose{"Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật."},
    };
    birthForm.placeDate = "Làm tại: xã Tân Phú, ngày 20 tháng 11 năm 2026";
    birthForm.signers = {{"Người yêu cầu", kSign, "Nguyễn Văn An"}};

    const Applicant an{"Nguyễn Văn An", "079090001234", "15/03/1990", "Nam",
                       "Số 12, thôn Đông, xã Tân Phú, huyện Đức Hòa, tỉnh Long An", "id_card_qr"};
    const IdCardSpec card1{an.idNumber, "NGUYỄN VĂN AN", an.dateOfBirth, an.sex, "Long An", an.address,
                           an.idNumber + "|301234567|" + an.fullName + "|" + qrDate(an.dateOfBirth) + "|" + an.sex + "|" +
                               an.address + "|10082021",
                           "Nốt ruồi cách 2cm trên mép phải", "10/08/2021"};

    DocumentSpec birthCertificate;
    birthCertificate.agency = {"SỞ Y TẾ TỈNH LONG AN", "BỆNH VIỆN ĐA KHOA TỈNH LONG AN"};
    birthCertificate.title = "GIẤY CHỨNG SINH";
    birthCertificate.addressee = "Số: 1254/2026/GCS";
    birthCertificate.body = {
        Prose{"Họ và tên mẹ: Trần Thị Bích. Năm sinh: 1992. Dân tộc: Kinh."},
        Prose{"Nơi đăng ký thường trú: Số 12, thôn Đông, xã Tân Phú, huyện Đức Hòa, tỉnh Long An."},
        Prose{"Đã sinh con vào lúc 08 giờ 45 phút, ngày 02 tháng 10 năm 2026."},
        Prose{"Tại: Bệnh viện Đa khoa tỉnh Long An."},
        Prose{"Số con trong lần sinh này: 01. Giới tính của con: Nam."},
        Prose{"Cân nặng: 3,2 kg. Tình trạng sức khỏe của con khi sinh: bình thường."},
        Prose{"Dự định đặt tên con là: Nguyễn Minh Khang."},
        Prose{"Họ và tên cha: Nguyễn Văn An."},
        Prose{"Người đỡ đẻ: Bác sĩ Lê Thị Thu Hà."},
        Prose{"Giấy chứng sinh này được cấp để làm thủ tục đăng ký khai sinh cho trẻ."},
    };
    birthCertificate.placeDate = "Long An, ngày 05 tháng 10 năm 2026";
    birthCertificate.signers = {{"GIÁM ĐỐC", "", "Nguyễn Hữu Phước"}};
    birthCertificate.seal = true;

    // ---- Dossier 2: marriage registration ------------------------------------------------
    const EnvelopeSpec env2{kEnvelopeC5, 232, "Lê Thị Hoa",
                            "45 đường Trần Phú, phường 4, thành phố Tân An, tỉnh Long An", "0987654321",
                            "BƯU PHẨM ĐẢM BẢO", "RR987654326VN"};
    DocumentSpec marriageForm;
    marriageForm.title = "TỜ KHAI ĐĂNG KÝ KẾT HÔN";
    marriageForm.addressee = kAddressee;
    marriageForm.body = {Table{
        {"Thông tin", "Bên nữ", "Bên nam"},
        {
            {"Họ, chữ đệm, tên", "Lê Thị Hoa", "Phạm Quốc Bảo"},
            {"Ngày, tháng, năm sinh", "08/07/1995", "21/12/1993"},
            {"Dân tộc", "Kinh", "Kinh"},
            {"Quốc tịch", "Việt Nam", "Việt Nam"},
            {"Số định danh cá nhân", "080195004321", "080093007777"},
            {"Nơi cư trú", "45 đường Trần Phú, phường 4, thành phố Tân An, tỉnh Long An",
             "Số 27, ấp Chợ, xã Tân Phú, tỉnh Long An"},
            {"Kết hôn lần thứ mấy", "", ""},
        },
        {380, 452, 452}}};
    DocumentSpec marriageForm2; // continuation sheet: no national header, no title
    marriageForm2.nationalHeader = false;
    marriageForm2.body = {
        Prose{"Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự "
              "nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam."},
        Prose{"Chúng tôi chịu trách nhiệm trước pháp luật về cam đoan của mình."},
        Prose{"Đề nghị Ủy ban nhân dân xã Tân Phú đăng ký kết hôn cho chúng tôi."},
    };
    marriageForm2.placeDate = "Làm tại: xã Tân Phú, ngày 16 tháng 11 năm 2026";
    marriageForm2.signers = {{"Bên nữ", kSign, "Lê Thị Hoa"}, {"Bên nam", kSign, "Phạm Quốc Bảo"}};

    const Applicant hoa{"Lê Thị Hoa", "080195004321", "08/07/1995", "Nữ",
                        "45 đường Trần Phú, phường 4, thành phố Tân An, tỉnh Long An", "id_card_qr"};
    // The newer, longer QR form: empty old-ID field, parents' names and a trailing empty field.
    const IdCardSpec card2{hoa.idNumber, "LÊ THỊ HOA", hoa.dateOfBirth, hoa.sex, "Long An", hoa.address,
                           hoa.idNumber + "||" + hoa.fullName + "|" + qrDate(hoa.dateOfBirth) + "|" + hoa.sex + "|" +
                               hoa.address + "|01022022|Lê Văn Tâm|Nguyễn Thị Lan|",
                           "Sẹo chấm cách 1cm dưới đuôi mắt trái", "01/02/2022"};

    // ---- Dossier 3: business household registration (no envelope) ------------------------
    DocumentSpec businessForm;
    businessForm.title = "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH";
    businessForm.addressee = "Kính gửi: Phòng Kinh tế xã Tân Phú";
    businessForm.body = {
        Field{"Tôi là (ghi họ tên bằng chữ in hoa):", "TRẦN VĂN BÌNH"},
        Field{"Ngày, tháng, năm sinh:", "05/05/1985"},
        Field{"Giới tính:", "Nam"},
        Field{"Số định danh cá nhân:", "080085002468"},
        Field{"Địa chỉ liên lạc:", "Ấp 3, xã Tân Phú, tỉnh Long An"},
        Field{"Điện thoại:", "0903111222"},
        Field{"Email:", ""},
        Prose{"Đăng ký hộ kinh doanh với các nội dung sau:"},
        Field{"Tên hộ kinh doanh:", "Tạp hóa Bình An"},
        Field{"Địa chỉ trụ sở hộ kinh doanh:", "Ấp 3, xã Tân Phú, tỉnh Long An"},
        Field{"Ngành, nghề kinh doanh:", "Bán lẻ hàng tạp hóa"},
        Field{"Vốn kinh doanh:", "50.000.000 đồng"},
        Field{"Số lượng lao động:", ""},
        Prose{"Tôi cam kết về tính hợp pháp, chính xác, trung thực của nội dung đăng ký trên."},
    };
    businessForm.placeDate = "Tân Phú, ngày 19 tháng 11 năm 2026";
    businessForm.signers = {{"Người đề nghị", "(Ký, ghi rõ họ tên)", "Trần Văn Bình"}};
    const Applicant binh{"Trần Văn Bình", "080085002468", "05/05/1985", "Nam", "Ấp 3, xã Tân Phú, tỉnh Long An", "ocr"};

    DocumentSpec lease;
    lease.title = "HỢP ĐỒNG THUÊ MẶT BẰNG";
    lease.body = {
        Prose{"Hôm nay, ngày 01 tháng 11 năm 2026, tại xã Tân Phú, tỉnh Long An, chúng tôi gồm:"},
        Prose{"Bên cho thuê (Bên A): Ông Huỳnh Văn Lợi, số định danh cá nhân 080065001122, địa chỉ: Ấp 3, xã Tân "
              "Phú, tỉnh Long An."},
        Prose{"Bên thuê (Bên B): Ông Trần Văn Bình, số định danh cá nhân 080085002468, địa chỉ: Ấp 3, xã Tân Phú, "
              "tỉnh Long An."},
        Prose{"Hai bên thống nhất ký hợp đồng thuê mặt bằng với các điều khoản sau:"},
        Prose{"Điều 1. Bên A cho Bên B thuê mặt bằng kinh doanh diện tích 40 mét vuông tại Ấp 3, xã Tân Phú, tỉnh "
              "Long An để mở cửa hàng tạp hóa."},
        Prose{"Điều 2. Thời hạn thuê là 24 tháng, kể từ ngày 01 tháng 12 năm 2026."},
        Prose{"Điều 3. Giá thuê là 3.000.000 đồng/tháng, thanh toán vào ngày 05 hằng tháng."},
        Prose{"Điều 4. Bên B sử dụng mặt bằng đúng mục đích, không sửa chữa kết cấu khi chưa có sự đồng ý của "
              "Bên A."},
        Prose{"Điều 5. Hợp đồng được lập thành 02 bản, mỗi bên giữ 01 bản, có giá trị pháp lý như nhau."},
    };
    lease.signers = {{"BÊN CHO THUÊ", "(Ký, ghi rõ họ tên)", "Huỳnh Văn Lợi"},
                     {"BÊN THUÊ", "(Ký, ghi rõ họ tên)", "Trần Văn Bình"}};

    // ---- Dossier 4: death registration (tracking number with a wrong check digit) ---------
    const EnvelopeSpec env4{kEnvelopeDL, 236, "Võ Thị Mai", "Tổ 7, ấp Bình Hòa, xã Tân Phú, tỉnh Long An",
                            "0977333444", "EMS - CHUYỂN PHÁT NHANH", "EE123456789VN"};
    DocumentSpec deathForm;
    deathForm.title = "TỜ KHAI ĐĂNG KÝ KHAI TỬ";
    deathForm.addressee = kAddressee;
    deathForm.body = {
        Field{"Họ, chữ đệm, tên người yêu cầu:", "Võ Thị Mai"},
        Field{"Số định danh cá nhân:", "080070001357"},
        Field{"Nơi cư trú:", "Tổ 7, ấp Bình Hòa, xã Tân Phú, tỉnh Long An"},
        Field{"Quan hệ với người đã chết:", "Con"},
        Prose{"Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:"},
        Field{"Họ, chữ đệm, tên người đã chết:", "Võ Văn Tư"},
        Field{"Ngày, tháng, năm sinh:", "12/01/1940"},
        Field{"Dân tộc:", ""},
        Field{"Quốc tịch:", ""},
        Field{"Ngày chết:", "18/11/2026"},
        Field{"Nơi chết:", "tại nhà riêng, ấp Bình Hòa"},
        Field{"Nguyên nhân chết:", "Già yếu"},
        Prose{"Tôi cam đoan nội dung đề nghị đăng ký khai tử trên đây là đúng sự thật và chịu trách nhiệm trước "
              "pháp luật về cam đoan của mình."},
    };
    deathForm.placeDate = "Làm tại: xã Tân Phú, ngày 21 tháng 11 năm 2026";
    deathForm.signers = {{"Người yêu cầu", kSign, "Võ Thị Mai"}};

    const Applicant mai{"Võ Thị Mai", "080070001357", "03/09/1970", "Nữ", "Tổ 7, ấp Bình Hòa, xã Tân Phú, tỉnh Long An",
                        "id_card_qr"};
    const IdCardSpec card4{mai.idNumber, "VÕ THỊ MAI", mai.dateOfBirth, mai.sex, "Long An", mai.address,
                           mai.idNumber + "|301998877|" + mai.fullName + "|" + qrDate(mai.dateOfBirth) + "|" + mai.sex +
                               "|" + mai.address + "|25042021",
                           "Nốt ruồi cách 1,5cm dưới cánh mũi phải", "25/04/2021"};

    // ---- Draw the pages in scan order ----------------------------------------------------
    std::vector<Page> pages; // index = page number - 1
    auto paperA4 = [&] { return rng.uniform(238, 246); };
    pages.push_back({"envelope", envelope(env1)});
    pages.push_back({"application_form", document(birthForm, paperA4(), rng)});
    pages.push_back({"id_card", idCardCopy(card1, paperA4(), rng)});
    pages.push_back({"supporting_document", document(birthCertificate, paperA4(), rng), true});
    pages.push_back({"envelope", envelope(env2)});
    pages.push_back({"application_form", document(marriageForm, paperA4(), rng)});
    pages.push_back({"application_form", document(marriageForm2, paperA4(), rng)});
    pages.push_back({"id_card", idCardCopy(card2, paperA4(), rng)});
    pages.push_back({"blank", blankBackSide(245, 225)});
    pages.push_back({"separator", separatorSheet("PATCHT", paperA4())});
    pages.push_back({"application_form", document(businessForm, paperA4(), rng)});
    pages.push_back({"supporting_document", document(lease, paperA4(), rng)});
    pages.push_back({"envelope", envelope(env4)});
    pages.push_back({"application_form", document(deathForm, paperA4(), rng)});
    pages.push_back({"id_card", idCardCopy(card4, paperA4(), rng)});

    const std::vector<ScanFile> files = {
        {"scan_1.png", FileFormat::Png, {1}},       {"scan_2.jpg", FileFormat::Jpeg, {2}},
        {"scan_3.png", FileFormat::Png, {3}},       {"scan_4.png", FileFormat::Png, {4}},
        {"scan_5.png", FileFormat::Png, {5}},       {"scan_6.tif", FileFormat::Tiff, {6, 7}},
        {"scan_7.webp", FileFormat::Webp, {8}},     {"scan_8.png", FileFormat::Png, {9}},
        {"scan_9.png", FileFormat::Png, {10}},      {"scan_10.pdf", FileFormat::Pdf, {11, 12}},
        {"scan_11.png", FileFormat::Png, {13}},     {"scan_12.png", FileFormat::Png, {14}},
        {"scan_13.png", FileFormat::Png, {15}},
    };

    // ---- Scan, write, read back, verify the barcodes -------------------------------------
    std::filesystem::create_directories(dir);
    const std::vector<double> angles = skewAngles(rng, pages.size());
    std::vector<const ScanFile*> fileOf(pages.size());
    std::vector<int> sourcePage(pages.size());
    FileOptions options;
    options.pdfJpegQuality = 75;
    for (const ScanFile& file : files) {
        std::vector<cv::Mat> scanned;
        for (std::size_t k = 0; k < file.pages.size(); ++k) {
            const auto i = static_cast<std::size_t>(file.pages[k] - 1);
            ScanStyle style;
            style.upsideDown = pages[i].upsideDown;
            style.skewDeg = angles[i];
            style.blurSigma = rng.chance(35) ? rng.uniform(6, 9) / 10.0 : 0.0;
            style.grain = grainFor(file.format);
            scanned.push_back(scan(pages[i].image.grey, style, rng));
            fileOf[i] = &file;
            sourcePage[i] = static_cast<int>(k) + 1;
        }
        const std::vector<cv::Mat> back = writeScanFile(dir / file.name, file.format, scanned, options);
        for (std::size_t k = 0; k < file.pages.size(); ++k) {
            const auto i = static_cast<std::size_t>(file.pages[k] - 1);
            verifyBarcodes(back[k], pages[i].image.barcodes,
                           file.name + " page " + std::to_string(k + 1) + " (batch page " + std::to_string(i + 1) + ")");
        }
    }

    // ---- Ground truth ----------------------------------------------------------------------
    const std::vector<Dossier> dossiers = {
        {{1, 2, 3, 4}, env1.tracking, env1, an, kBirth},
        {{5, 6, 7, 8, 9}, env2.tracking, env2, hoa, kMarriage},
        {{11, 12}, std::nullopt, std::nullopt, binh, kBusiness},
        {{13, 14, 15}, env4.tracking, env4, mai, kDeath},
    };
    std::ofstream truth(dir / "truth.jsonl", std::ios::binary);
    for (const Dossier& d : dossiers) {
        Json documents = Json::array();
        Json pageList = Json::array();
        for (int n : d.pages) {
            const auto i = static_cast<std::size_t>(n - 1);
            const Page& p = pages[i];
            pageList.push_back(truthPage(n, p, *fileOf[i], sourcePage[i]));
            if (p.type == "blank" || p.type == "separator")
                continue;
            // A document is a run of consecutive pages of one type.
            if (!documents.empty() && documents.back()["type"] == p.type && documents.back()["pages"].back() == n - 1)
                documents.back()["pages"].push_back(n);
            else
                documents.push_back({{"type", p.type}, {"pages", Json::array({n})}});
        }
        const bool trackingValid = d.tracking && s10Valid(*d.tracking);
        Json reasons = Json::array();
        if (!d.tracking)
            reasons.push_back("tracking_number_missing");
        else if (!trackingValid)
            reasons.push_back("tracking_number_invalid");
        const Applicant& a = d.applicant;
        const Json sender = d.envelope ? Json{{"name", d.envelope->senderName},
                                              {"address", d.envelope->senderAddress},
                                              {"phone", d.envelope->senderPhone}}
                                       : Json{{"name", nullptr}, {"address", nullptr}, {"phone", nullptr}};
        const Json record = {
            {"schema", "intake.dossier/1"},
            {"dossier_code", nullptr},
            {"batch_id", nullptr},
            {"channel", "postal"},
            {"received_at", nullptr},
            {"tracking_number", d.tracking ? Json(*d.tracking) : Json(nullptr)},
            {"tracking_valid", trackingValid},
            {"sender", sender},
            {"applicant",
             {{"full_name", a.fullName},
              {"id_number", a.idNumber},
              {"date_of_birth", isoDate(a.dateOfBirth)},
              {"sex", a.sex},
              {"address", a.address},
              {"source", a.source}}},
            {"procedure",
             {{"id", d.procedure.id}, {"code", d.procedure.code}, {"name", d.procedure.name}, {"confidence", nullptr}}},
            {"department", d.procedure.department},
            {"due_date", nullptr},
            {"documents", documents},
            {"pages", pageList},
            {"review", {{"required", !reasons.empty()}, {"reasons", reasons}}},
        };
        truth << record.dump() << '\n';
    }

    Json separators = Json::array();
    for (std::size_t i = 0; i < pages.size(); ++i)
        if (pages[i].type == "separator") {
            Json barcodes = Json::array();
            for (const Barcode& b : pages[i].image.barcodes)
                barcodes.push_back({{"format", b.format}, {"text", b.text}});
            separators.push_back({{"number", static_cast<int>(i) + 1},
                                  {"source_file", fileOf[i]->name},
                                  {"source_page", sourcePage[i]},
                                  {"barcodes", barcodes}});
        }
    std::ofstream(dir / "separators.json", std::ios::binary) << separators.dump() << '\n';
    if (!truth)
        throw std::runtime_error("cannot write truth.jsonl");

    for (std::size_t i = 0; i < pages.size(); ++i)
        std::cout << "page " << i + 1 << ": " << fileOf[i]->name << "#" << sourcePage[i] << " " << pages[i].type
                  << " skew " << angles[i] << (pages[i].upsideDown ? " upside down" : "") << "\n";
}

void writeDispatch01(const std::filesystem::path& dir, std::uint32_t seed)
{
    Rng rng(seed);
    const std::string agency = "000.00.00.H38-260213-";
    struct Outgoing {
        std::optional<EnvelopeSpec> envelope;
        std::string code, title;
        std::vector<std::string> body;
    };
    const std::vector<std::string> centre = {"Trung tâm Phục vụ hành chính công xã Tân Phú",
                                             "Ủy ban nhân dân xã Tân Phú, tỉnh Long An", "0272 3850 123"};
    auto outbound = [&](const std::string& serial, const std::vector<std::string>& to) {
        const std::string tracking = "RR" + serial + std::to_string(s10CheckDigit(serial)) + "VN";
        if (!s10Valid(tracking))
            throw std::logic_error("bad S10 " + tracking);
        return EnvelopeSpec{kEnvelopeDL, 236, centre[0], centre[1], centre[2], "BƯU PHẨM ĐẢM BẢO", tracking, to};
    };
    const std::vector<Outgoing> items = {
        {std::nullopt, agency + "0004", "TRÍCH LỤC KHAI TỬ",
         {"Đăng ký khai tử tại Ủy ban nhân dân xã Tân Phú.", "Người đi khai tử: Võ Thị Mai."}},
        {outbound("20260001", {"Người nhận: Nguyễn Văn An", "Địa chỉ: Số 12, thôn Đông, xã Tân Phú,",
                               "huyện Đức Hòa, tỉnh Long An - ĐT 0912345678"}),
         agency + "0001", "TRÍCH LỤC KHAI SINH",
         {"Họ, chữ đệm, tên: Nguyễn Minh Khang", "Ngày, tháng, năm sinh: 02/10/2026. Giới tính: Nam.",
          "Nơi sinh: Bệnh viện Đa khoa tỉnh Long An.", "Họ, chữ đệm, tên người cha: Nguyễn Văn An."}},
        {outbound("20260002", {"Người nhận: Lê Thị Hoa", "Địa chỉ: 45 đường Trần Phú, phường 4,",
                               "thành phố Tân An, tỉnh Long An - ĐT 0987654321"}),
         agency + "0002", "GIẤY CHỨNG NHẬN KẾT HÔN",
         {"Họ, chữ đệm, tên người vợ: Lê Thị Hoa. Ngày sinh: 08/07/1995.",
          "Họ, chữ đệm, tên người chồng: Phạm Quốc Bảo. Ngày sinh: 21/12/1993.",
          "Đăng ký kết hôn tại Ủy ban nhân dân xã Tân Phú."}},
    };

    std::vector<Page> pages;
    Json truth = Json::array();
    for (const Outgoing& item : items) {
        Json expected = {{"pages", Json::array()}, {"tracking_number", nullptr}, {"dossier_code", item.code}};
        if (item.envelope) {
            pages.push_back({"envelope", envelope(*item.envelope)});
            expected["pages"].push_back(pages.size());
            expected["tracking_number"] = item.envelope->tracking;
        }
        DocumentSpec result;
        result.agency = {"ỦY BAN NHÂN DÂN", "XÃ TÂN PHÚ"};
        result.title = item.title;
        result.addressee = "Mã hồ sơ: " + item.code;
        for (const auto& line : item.body)
            result.body.push_back(Prose{line});
        result.placeDate = "Tân Phú, ngày 20 tháng 02 năm 2026";
        result.signers = {{"CHỦ TỊCH", "", "Trần Văn Lâm"}};
        result.seal = true;
        result.qr = item.code;
        pages.push_back({"supporting_document", document(result, rng.uniform(238, 246), rng)});
        expected["pages"].push_back(pages.size());
        truth.push_back(expected);
    }

    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        ScanStyle style;
        style.skewDeg = rng.uniform(-15, 15) / 10.0;
        style.grain = 4;
        const cv::Mat scanned = scan(pages[i].image.grey, style, rng);
        const std::string name = "scan_" + std::to_string(i + 1) + ".png";
        const std::vector<cv::Mat> back = writeScanFile(dir / name, FileFormat::Png, {scanned}, FileOptions{});
        verifyBarcodes(back.front(), pages[i].image.barcodes, name);
    }
    std::ofstream(dir / "truth.json", std::ios::binary) << truth.dump(1) << '\n';
}

} // namespace samplegen
