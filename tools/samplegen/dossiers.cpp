#include "dossiers.h"

#include "s10.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace samplegen::corpus {

namespace {

using Json = nlohmann::ordered_json;

const std::string kCommune = "xã Tân Phú";
const std::string kCommuneName = "Tân Phú";
const std::string kProvince = "tỉnh Long An";

std::string two(int v)
{
    char b[8];
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}

std::string money(long v) // 50000000 -> "50.000.000"
{
    std::string s = std::to_string(v), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && (s.size() - i) % 3 == 0)
            out += '.';
        out += s[i];
    }
    return out;
}

Date addDays(Date d, int days)
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    auto len = [](int m, int y) { return m == 2 && y % 4 == 0 ? 29 : kDays[m - 1]; };
    while (days > 0) {
        if (++d.day > len(d.month, d.year)) {
            d.day = 1;
            if (++d.month > 12)
                d.month = 1, ++d.year;
        }
        --days;
    }
    while (days < 0) {
        if (--d.day < 1) {
            if (--d.month < 1)
                d.month = 12, --d.year;
            d.day = len(d.month, d.year);
        }
        ++days;
    }
    return d;
}

std::string pick(Rng& rng, const std::vector<std::string>& v)
{
    return v[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(v.size()) - 1))];
}

DocStyle randomStyle(Rng& rng)
{
    DocStyle s;
    const int family = rng.uniform(0, 9);
    if (family < 5) {
        s.regular = Font::NotoSerif, s.bold = Font::NotoSerifBold, s.italic = Font::NotoSerifItalic;
    } else if (family < 7) {
        s.regular = Font::Serif, s.bold = Font::SerifBold, s.italic = Font::SerifItalic;
    } else if (family < 9) {
        s.regular = Font::NotoSans, s.bold = Font::NotoSansBold, s.italic = Font::NotoSerifItalic;
    } else {
        s.regular = Font::Sans, s.bold = Font::SansBold, s.italic = Font::SerifItalic;
    }
    s.bodyPx = rng.uniform(27, 33);
    s.pitch = s.bodyPx * rng.uniform(170, 195) / 100;
    s.left = rng.uniform(170, 240);
    s.right = 1654 - rng.uniform(130, 190);
    s.top = rng.uniform(150, 200);
    s.bottom = 2339 - rng.uniform(150, 200);
    s.titlePx = rng.uniform(36, 42);
    s.ink = rng.uniform(15, 45);
    return s;
}

cv::Scalar a4Paper(Rng& rng)
{
    const int g = rng.uniform(238, 250);
    if (rng.chance(12)) // recycled or tinted paper
        return cv::Scalar(g - rng.uniform(8, 20), g - rng.uniform(0, 8), g);
    return cv::Scalar(g, g, g);
}

std::string placeDate(Rng& rng, const Date& d, const Person& p)
{
    switch (rng.uniform(0, 3)) {
    case 0: return "Làm tại: " + kCommune + ", " + d.longForm();
    case 1: return kCommuneName + ", " + d.longForm();
    case 2: return p.residence.provinceShort + ", " + d.longForm();
    default: return p.residence.commune.substr(p.residence.commune.find(' ') + 1) + ", " + d.longForm();
    }
}

const std::string kSignNote = "(Ký, ghi rõ họ, chữ đệm, tên)";

// How the applicant appears on a form.
struct FormApplicant {
    Person p;
    std::string idOnForm; // may differ from the card on purpose, or be empty
};

std::string residenceLabel(Rng& rng)
{
    return pick(rng, {"Nơi cư trú:", "Nơi cư trú:", "Nơi cư trú:", "Địa chỉ thường trú:", "Địa chỉ thường trú:", "Nơi thường trú:"});
}

// The five applicant fields, in one of several arrangements.
void applicantFields(std::vector<Item>& body, Rng& rng, const FormApplicant& a, const std::string& nameLabel, bool caps)
{
    const std::string name = caps ? upperVi(a.p.fullName) : a.p.fullName;
    body.push_back(Field{nameLabel, name});
    const int arrangement = rng.uniform(0, 2);
    const std::string dobLabel = pick(rng, {"Ngày, tháng, năm sinh:", "Ngày, tháng, năm sinh:", "Ngày sinh:"});
    if (arrangement == 0) {
        body.push_back(Field{dobLabel, a.p.birth.dmy()});
        body.push_back(Field{"Giới tính:", a.p.sex});
        body.push_back(Field{"Số định danh cá nhân:", a.idOnForm});
    } else if (arrangement == 1) {
        body.push_back(FieldRow{{{dobLabel, a.p.birth.dmy()}, {"Giới tính:", a.p.sex}, {"Dân tộc:", a.p.ethnicity}}, {45, 25, 30}});
        body.push_back(Field{"Số định danh cá nhân:", a.idOnForm});
    } else {
        body.push_back(Field{"Số định danh cá nhân:", a.idOnForm});
        body.push_back(FieldRow{{{dobLabel, a.p.birth.dmy()}, {"Giới tính:", a.p.sex}}, {55, 45}});
    }
    body.push_back(Field{residenceLabel(rng), a.p.residence.full()});
}

DocSpec formBase(Rng& rng, const std::string& title)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.title = title;
    d.pageNumbers = rng.chance(30);
    return d;
}

// ---- application forms ------------------------------------------------------------------

DocSpec birthForm(Rng& rng, PeopleGen& people, const FormApplicant& a, const Date& today)
{
    DocSpec d = formBase(rng, "TỜ KHAI ĐĂNG KÝ KHAI SINH");
    if (rng.chance(50))
        d.formNo = "Mẫu TP/HT-2020-KS.1";
    d.addressee = "Kính gửi: " + pick(rng, {"Ủy ban nhân dân " + kCommune, "Ủy ban nhân dân " + kCommune + ", " + kProvince,
                                            "UBND " + kCommune});
    applicantFields(d.body, rng, a, pick(rng, {"Họ, chữ đệm, tên người yêu cầu:", "Họ và tên người yêu cầu:"}), false);
    const bool father = a.p.sex == "Nam";
    d.body.push_back(Field{"Quan hệ với người được khai sinh:", father ? "Cha" : "Mẹ"});
    if (rng.chance(35))
        d.body.push_back(PageBreak{});
    d.body.push_back(Prose{"Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"});
    const std::string childSex = rng.chance(50) ? "Nam" : "Nữ";
    const std::string family = a.p.fullName.substr(0, a.p.fullName.find(' '));
    const Date born = addDays(today, -rng.uniform(5, 60));
    d.body.push_back(Field{"Họ, chữ đệm, tên:", people.fullName(childSex, father ? family : "")});
    d.body.push_back(FieldRow{{{"Ngày, tháng, năm sinh:", born.dmy()}, {"Giới tính:", childSex}}, {60, 40}});
    d.body.push_back(FieldRow{{{"Dân tộc:", "Kinh"}, {"Quốc tịch:", "Việt Nam"}}, {50, 50}});
    d.body.push_back(Field{"Nơi sinh:", people.hospitalOf(a.p.residence)});
    d.body.push_back(Field{"Quê quán:", a.p.hometown});
    const std::string other = people.fullName(father ? "Nữ" : "Nam");
    d.body.push_back(Field{father ? "Họ, chữ đệm, tên người mẹ:" : "Họ, chữ đệm, tên người cha:", rng.chance(85) ? other : ""});
    d.body.push_back(FieldRow{{{"Năm sinh:", std::to_string(a.p.birth.year + rng.uniform(-4, 4))}, {"Dân tộc:", "Kinh"}, {"Quốc tịch:", "Việt Nam"}}, {34, 30, 36}});
    d.body.push_back(Prose{"Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
                           "nhất trí của các bên liên quan theo quy định pháp luật.", false, false, false, 60});
    d.body.push_back(Prose{"Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.", false, false, false, 60});
    d.body.push_back(Field{"Đề nghị cấp bản sao:", rng.chance(60) ? "Có, số lượng " + two(rng.uniform(1, 3)) + " bản" : "Không"});
    d.placeDate = placeDate(rng, addDays(today, -rng.uniform(2, 15)), a.p);
    d.signers = {{"Người yêu cầu", kSignNote, a.p.fullName}};
    return d;
}

DocSpec marriageForm(Rng& rng, const FormApplicant& bride, const Person& groom, const Date& today)
{
    DocSpec d = formBase(rng, "TỜ KHAI ĐĂNG KÝ KẾT HÔN");
    if (rng.chance(50))
        d.formNo = "Mẫu TP/HT-2020-KH.1";
    d.addressee = "Kính gửi: " + pick(rng, {"Ủy ban nhân dân " + kCommune, "UBND " + kCommune + ", " + kProvince});
    const int times1 = rng.chance(90) ? 1 : 2, times2 = rng.chance(90) ? 1 : 2;
    if (rng.chance(55)) { // the Ministry's table form
        d.body.push_back(Table{{"Thông tin", "Bên nữ", "Bên nam"},
                               {{"Họ, chữ đệm, tên", bride.p.fullName, groom.fullName},
                                {"Ngày, tháng, năm sinh", bride.p.birth.dmy(), groom.birth.dmy()},
                                {"Dân tộc", bride.p.ethnicity, groom.ethnicity},
                                {"Quốc tịch", "Việt Nam", "Việt Nam"},
                                {"Nơi cư trú", bride.p.residence.full(), groom.residence.full()},
                                {"Số định danh cá nhân", bride.idOnForm, groom.idNumber},
                                {"Kết hôn lần thứ mấy", std::to_string(times1), std::to_string(times2)}},
                               {30, 35, 35}});
    } else { // one party after the other
        d.body.push_back(Prose{"THÔNG TIN BÊN NỮ", true});
        d.body.push_back(Field{"Họ, chữ đệm, tên:", bride.p.fullName});
        d.body.push_back(FieldRow{{{"Ngày, tháng, năm sinh:", bride.p.birth.dmy()}, {"Dân tộc:", bride.p.ethnicity}}, {60, 40}});
        d.body.push_back(Field{"Số định danh cá nhân:", bride.idOnForm});
        d.body.push_back(Field{"Nơi cư trú:", bride.p.residence.full()});
        d.body.push_back(Field{"Kết hôn lần thứ mấy:", std::to_string(times1)});
        if (rng.chance(40))
            d.body.push_back(PageBreak{});
        d.body.push_back(Prose{"THÔNG TIN BÊN NAM", true});
        d.body.push_back(Field{"Họ, chữ đệm, tên:", groom.fullName});
        d.body.push_back(FieldRow{{{"Ngày, tháng, năm sinh:", groom.birth.dmy()}, {"Dân tộc:", groom.ethnicity}}, {60, 40}});
        d.body.push_back(Field{"Số định danh cá nhân:", groom.idNumber});
        d.body.push_back(Field{"Nơi cư trú:", groom.residence.full()});
        d.body.push_back(Field{"Kết hôn lần thứ mấy:", std::to_string(times2)});
    }
    if (rng.chance(50))
        d.body.push_back(PageBreak{});
    d.body.push_back(Prose{"Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự "
                           "nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam.", false, false, false, 60});
    d.body.push_back(Prose{"Chúng tôi chịu trách nhiệm trước pháp luật về cam đoan của mình.", false, false, false, 60});
    d.body.push_back(Prose{"Đề nghị Ủy ban nhân dân " + kCommune + " đăng ký kết hôn cho chúng tôi.", false, false, false, 60});
    d.body.push_back(Field{"Đề nghị cấp bản sao:", rng.chance(60) ? "Có, số lượng 02 bản" : "Không"});
    d.placeDate = placeDate(rng, addDays(today, -rng.uniform(2, 15)), bride.p);
    d.signers = {{"Bên nữ", kSignNote, bride.p.fullName}, {"Bên nam", kSignNote, groom.fullName}};
    return d;
}

DocSpec deathForm(Rng& rng, const FormApplicant& a, const Person& dead, const Date& died, const std::string& relation,
                  const Date& today)
{
    DocSpec d = formBase(rng, "TỜ KHAI ĐĂNG KÝ KHAI TỬ");
    if (rng.chance(50))
        d.formNo = "Mẫu TP/HT-2020-KT.1";
    d.addressee = "Kính gửi: " + pick(rng, {"Ủy ban nhân dân " + kCommune, "UBND " + kCommune + ", " + kProvince});
    applicantFields(d.body, rng, a, pick(rng, {"Họ, chữ đệm, tên người yêu cầu:", "Họ và tên người yêu cầu:"}), false);
    d.body.push_back(Field{"Quan hệ với người đã chết:", relation});
    if (rng.chance(30))
        d.body.push_back(PageBreak{});
    d.body.push_back(Prose{"Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:"});
    d.body.push_back(Field{"Họ, chữ đệm, tên người đã chết:", dead.fullName});
    d.body.push_back(FieldRow{{{"Năm sinh:", std::to_string(dead.birth.year)}, {"Giới tính:", dead.sex}, {"Dân tộc:", dead.ethnicity}}, {34, 30, 36}});
    d.body.push_back(Field{"Quốc tịch:", "Việt Nam"});
    d.body.push_back(Field{"Nơi cư trú cuối cùng:", dead.residence.full()});
    d.body.push_back(Field{"Đã chết vào lúc:", two(rng.uniform(0, 23)) + " giờ " + two(rng.uniform(0, 59)) + " phút, " + died.longForm()});
    d.body.push_back(Field{"Nơi chết:", pick(rng, {"tại nhà riêng", "tại nhà riêng, " + dead.residence.line,
                                                   "Bệnh viện Đa khoa " + dead.residence.provinceShort})});
    d.body.push_back(Field{"Nguyên nhân chết:", pick(rng, {"Già yếu", "Bệnh", "Tai biến mạch máu não", "Bệnh tim"})});
    d.body.push_back(Field{"Số Giấy báo tử/Giấy tờ thay thế Giấy báo tử:", std::to_string(rng.uniform(10, 999)) + "/GBT"});
    d.body.push_back(Prose{"Tôi cam đoan nội dung đề nghị đăng ký khai tử trên đây là đúng sự thật và chịu trách nhiệm "
                           "trước pháp luật về cam đoan của mình.", false, false, false, 60});
    d.placeDate = placeDate(rng, addDays(today, -rng.uniform(1, 8)), a.p);
    d.signers = {{"Người yêu cầu", kSignNote, a.p.fullName}};
    return d;
}

struct Business {
    std::string name, trade, address;
    long capital;
    int workers;
};

Business makeBusiness(Rng& rng, PeopleGen& people, const Person& owner)
{
    static const std::vector<std::pair<std::string, std::string>> kinds = {
        {"Tạp hóa", "Bán lẻ hàng tạp hóa, thực phẩm đóng gói"},
        {"Quán cơm", "Dịch vụ ăn uống, cơm phần"},
        {"Tiệm may", "May mặc, sửa quần áo"},
        {"Cửa hàng điện thoại", "Bán lẻ điện thoại di động, phụ kiện"},
        {"Tiệm tóc", "Cắt tóc, gội đầu, làm đẹp"},
        {"Cà phê", "Dịch vụ phục vụ đồ uống"},
        {"Vật liệu xây dựng", "Bán lẻ vật liệu xây dựng"},
        {"Sửa xe", "Sửa chữa mô tô, xe máy"},
        {"Nông sản", "Thu mua, bán lẻ nông sản"},
    };
    const auto& k = kinds[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(kinds.size()) - 1))];
    const std::string given = owner.fullName.substr(owner.fullName.rfind(' ') + 1);
    Business b;
    b.name = k.first + " " + given + (rng.chance(50) ? "" : " " + pick(rng, {"An", "Phát", "Lộc", "Thịnh", "Hưng"}));
    b.trade = k.second;
    b.address = (rng.chance(50) ? owner.residence.line + ", " : "Ấp Chợ, ") + kCommune + ", " + kProvince;
    b.capital = rng.uniform(3, 60) * 10000000L;
    b.workers = rng.uniform(1, 6);
    (void)people;
    return b;
}

DocSpec businessForm(Rng& rng, PeopleGen& people, const FormApplicant& a, const Business& b, const Date& today)
{
    DocSpec d = formBase(rng, "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH");
    if (rng.chance(60))
        d.formNo = "Phụ lục III-1";
    d.addressee = "Kính gửi: " + pick(rng, {"Phòng Kinh tế " + kCommune, "Phòng Tài chính - Kế hoạch", "Ủy ban nhân dân " + kCommune});
    const bool caps = rng.chance(70);
    d.body.push_back(Field{caps ? "Tôi là (ghi họ tên bằng chữ in hoa):" : "Tôi là:", caps ? upperVi(a.p.fullName) : a.p.fullName});
    const std::string dobLabel = pick(rng, {"Sinh ngày:", "Ngày, tháng, năm sinh:", "Ngày, tháng, năm sinh:"});
    d.body.push_back(FieldRow{{{"Giới tính:", a.p.sex}, {dobLabel, a.p.birth.dmy()}}, {38, 62}});
    d.body.push_back(FieldRow{{{"Dân tộc:", a.p.ethnicity}, {"Quốc tịch:", "Việt Nam"}}, {50, 50}});
    d.body.push_back(Field{"Số định danh cá nhân:", a.idOnForm});
    d.body.push_back(Field{pick(rng, {"Địa chỉ thường trú:", "Nơi thường trú:", "Địa chỉ liên lạc:"}), a.p.residence.full()});
    d.body.push_back(FieldRow{{{"Điện thoại:", a.p.phone}, {"Email:", ""}}, {50, 50}});
    d.body.push_back(Prose{"Đăng ký hộ kinh doanh do tôi là chủ hộ với các nội dung sau:", true});
    d.body.push_back(Field{"1. Tên hộ kinh doanh:", upperVi(b.name)});
    d.body.push_back(Field{"2. Địa chỉ trụ sở hộ kinh doanh:", b.address});
    d.body.push_back(Field{"3. Ngành, nghề kinh doanh:", b.trade});
    d.body.push_back(Field{"4. Vốn kinh doanh:", money(b.capital) + " đồng"});
    d.body.push_back(Field{"5. Số lượng lao động:", std::to_string(b.workers) + " người"});
    if (rng.chance(45)) {
        d.body.push_back(Prose{"6. Thông tin về các thành viên hộ gia đình tham gia thành lập hộ kinh doanh:"});
        std::vector<std::vector<std::string>> rows;
        const int n = rng.uniform(1, 3);
        for (int i = 0; i < n; ++i) {
            const Person m = people.person(rng.chance(50) ? "Nam" : "Nữ", 1960, 2004);
            rows.push_back({std::to_string(i + 1), m.fullName, m.birth.dmy(), m.idNumber});
        }
        d.body.push_back(Table{{"STT", "Họ và tên", "Ngày sinh", "Số định danh cá nhân"}, rows, {10, 38, 22, 30}, false});
    }
    if (rng.chance(40))
        d.body.push_back(PageBreak{});
    d.body.push_back(Prose{"Tôi cam kết:", true});
    d.body.push_back(Prose{"- Bản thân không thuộc diện bị cấm thành lập hộ kinh doanh theo quy định của pháp luật;"});
    d.body.push_back(Prose{"- Chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác, trung thực của nội dung đăng ký trên."});
    d.placeDate = kCommuneName + ", " + addDays(today, -rng.uniform(1, 12)).longForm();
    d.signers = {{"Người đề nghị", "(Ký, ghi rõ họ tên)", a.p.fullName}};
    return d;
}

struct Parcel {
    int number, sheet;
    std::string area, address, use, origin;
    int since;
};

Parcel makeParcel(Rng& rng, const Person& owner)
{
    Parcel p;
    p.number = rng.uniform(1, 999);
    p.sheet = rng.uniform(1, 60);
    const int area = rng.uniform(800, 20000);
    p.area = std::to_string(area / 10) + "," + std::to_string(area % 10);
    p.address = pick(rng, {"ấp Chợ", "ấp Bình Hòa", "ấp 3", "ấp Tân Lập", owner.residence.line}) + ", " + kCommune + ", " + kProvince;
    p.use = pick(rng, {"Đất ở tại nông thôn", "Đất trồng cây lâu năm", "Đất trồng lúa", "Đất ở tại nông thôn và đất trồng cây lâu năm"});
    p.origin = pick(rng, {"Nhận thừa kế từ cha mẹ", "Nhận chuyển nhượng", "Tự khai phá, sử dụng ổn định", "Được cha mẹ tặng cho"});
    p.since = rng.uniform(1980, 2012);
    return p;
}

DocSpec landForm(Rng& rng, const FormApplicant& a, const Parcel& p, const Date& today)
{
    DocSpec d = formBase(rng, "ĐƠN ĐĂNG KÝ ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT");
    d.formNo = pick(rng, {"Mẫu số 04/ĐK", "Mẫu số 04a/ĐK"});
    d.addressee = "Kính gửi: " + pick(rng, {"Ủy ban nhân dân " + kCommune, "Văn phòng đăng ký đất đai tỉnh Long An"});
    d.body.push_back(Prose{"I. PHẦN KÊ KHAI CỦA NGƯỜI ĐĂNG KÝ", true});
    d.body.push_back(Prose{"1. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất"});
    const bool caps = rng.chance(60);
    d.body.push_back(Field{pick(rng, {"1.1. Họ và tên (viết chữ in hoa):", "1.1. Họ và tên:"}), caps ? upperVi(a.p.fullName) : a.p.fullName});
    d.body.push_back(FieldRow{{{"Ngày, tháng, năm sinh:", a.p.birth.dmy()}, {"Giới tính:", a.p.sex}}, {60, 40}});
    d.body.push_back(Field{"1.2. Số định danh cá nhân:", a.idOnForm});
    d.body.push_back(Field{"1.3. Địa chỉ thường trú:", a.p.residence.full()});
    d.body.push_back(Field{"2. Đề nghị:", "Đăng ký quyền sử dụng đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu"});
    d.body.push_back(Prose{"3. Thửa đất đăng ký"});
    d.body.push_back(FieldRow{{{"3.1. Thửa đất số:", std::to_string(p.number)}, {"3.2. Tờ bản đồ số:", std::to_string(p.sheet)}}, {50, 50}});
    d.body.push_back(Field{"3.3. Địa chỉ tại:", p.address});
    d.body.push_back(Field{"3.4. Diện tích:", p.area + " m²; sử dụng chung: 0 m²; sử dụng riêng: " + p.area + " m²"});
    d.body.push_back(Field{"3.5. Sử dụng vào mục đích:", p.use + ", từ thời điểm: " + std::to_string(p.since)});
    d.body.push_back(Field{"3.6. Thời hạn đề nghị được sử dụng đất:", "Lâu dài"});
    d.body.push_back(Field{"3.7. Nguồn gốc sử dụng:", p.origin + " năm " + std::to_string(p.since)});
    if (rng.chance(50))
        d.body.push_back(PageBreak{});
    d.body.push_back(Field{"4. Tài sản gắn liền với đất:", rng.chance(60) ? "Nhà ở riêng lẻ, diện tích xây dựng " +
                                                                            std::to_string(rng.uniform(40, 160)) + " m², 1 tầng"
                                                                      : "Không"});
    d.body.push_back(Prose{"5. Những giấy tờ nộp kèm theo:"});
    d.body.push_back(Prose{"- Giấy tờ về quyền sử dụng đất;", false, false, false, 40});
    d.body.push_back(Prose{"- Bản trích đo bản đồ địa chính thửa đất;", false, false, false, 40});
    d.body.push_back(Prose{"- Bản sao căn cước của người sử dụng đất.", false, false, false, 40});
    d.body.push_back(Prose{"Tôi xin cam đoan nội dung kê khai trên đơn là đúng sự thật, nếu sai tôi hoàn toàn chịu trách "
                           "nhiệm trước pháp luật.", false, false, false, 60});
    d.placeDate = kCommuneName + ", " + addDays(today, -rng.uniform(2, 20)).longForm();
    d.signers = {{"Người viết đơn", "(Ký, ghi rõ họ tên)", a.p.fullName}};
    if (rng.chance(50)) { // the commune's part, left blank by the applicant, on its own page
        d.body.push_back(PageBreak{});
        d.body.push_back(Prose{"II. XÁC NHẬN CỦA ỦY BAN NHÂN DÂN CẤP XÃ", true, true});
        d.body.push_back(Field{"1. Nội dung kê khai so với hiện trạng:", ""});
        d.body.push_back(Field{"2. Nguồn gốc sử dụng đất:", ""});
        d.body.push_back(Field{"3. Thời điểm sử dụng đất vào mục đích đăng ký:", ""});
        d.body.push_back(Field{"4. Tình trạng tranh chấp đất đai:", ""});
        d.body.push_back(Field{"5. Sự phù hợp với quy hoạch:", ""});
    }
    return d;
}

DocSpec socialForm(Rng& rng, const FormApplicant& a, const std::string& disability, const Date& today)
{
    DocSpec d = formBase(rng, "TỜ KHAI ĐỀ NGHỊ TRỢ GIÚP XÃ HỘI");
    d.formNo = "Mẫu số 1a";
    d.subtitle = {"(Áp dụng đối với đối tượng quy định tại các khoản 1, 2, 3, 4, 5, 6, 7 và 8 Điều 5 Nghị định số 20/2021/NĐ-CP)"};
    d.addressee = rng.chance(50) ? "Kính gửi: Chủ tịch Ủy ban nhân dân " + kCommune : "";
    d.body.push_back(Prose{"I. THÔNG TIN CỦA ĐỐI TƯỢNG", true});
    d.body.push_back(Field{"1. Họ và tên (viết chữ in hoa):", upperVi(a.p.fullName)});
    d.body.push_back(FieldRow{{{"Ngày, tháng, năm sinh:", a.p.birth.dmy()}, {"Giới tính:", a.p.sex}}, {60, 40}});
    d.body.push_back(FieldRow{{{"Dân tộc:", a.p.ethnicity}, {"Quốc tịch:", "Việt Nam"}}, {50, 50}});
    d.body.push_back(Field{"Số định danh cá nhân:", a.idOnForm});
    d.body.push_back(Field{"2. Nơi cư trú:", a.p.residence.full()});
    d.body.push_back(Field{"Số điện thoại liên hệ:", a.p.phone});
    d.body.push_back(Field{"3. Đang hưởng chế độ nào sau đây:", ""});
    d.body.push_back(Field{"- Lương hưu, trợ cấp bảo hiểm xã hội hằng tháng:", "Không"});
    d.body.push_back(Field{"- Trợ cấp xã hội hàng tháng khác:", "Không"});
    d.body.push_back(Field{"4. Thuộc hộ nghèo, hộ cận nghèo:", pick(rng, {"Không", "Hộ nghèo", "Hộ cận nghèo"})});
    d.body.push_back(Field{"5. Thông tin về khuyết tật (nếu có):", disability});
    if (rng.chance(55))
        d.body.push_back(PageBreak{});
    d.body.push_back(Prose{"II. THÔNG TIN CỦA NGƯỜI KHAI THAY (nếu có)", true});
    d.body.push_back(Field{"Họ và tên người khai thay:", ""});
    d.body.push_back(Field{"Quan hệ với đối tượng:", ""});
    d.body.push_back(Prose{"Tôi xin cam đoan những lời khai trên là đúng sự thật, nếu có điều gì khai không đúng, tôi xin "
                           "chịu trách nhiệm hoàn toàn.", false, false, false, 60});
    d.placeDate = kCommuneName + ", " + addDays(today, -rng.uniform(2, 15)).longForm();
    d.signers = {{"Người khai", "(Ký, ghi rõ họ tên)", a.p.fullName}};
    return d;
}

// ---- supporting documents -------------------------------------------------------------

std::string sealRim(const std::string& body, const std::string& place)
{
    return upperVi(body) + " * " + upperVi(place) + " *";
}

DocSpec birthCertificate(Rng& rng, PeopleGen& people, const Person& parent, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    const std::string hospital = people.hospitalOf(parent.residence);
    d.agency = {"SỞ Y TẾ " + upperVi(parent.residence.province), upperVi(hospital)};
    if (d.style.right - d.style.left < 1200 || upperVi(hospital).size() > 60)
        d.agency = {"SỞ Y TẾ " + upperVi(parent.residence.provinceShort), upperVi(hospital.substr(0, hospital.find(' ', 20)))};
    d.agencyNumber = "Số: " + std::to_string(rng.uniform(100, 9999)) + "/" + std::to_string(today.year) + "/GCS";
    d.title = "GIẤY CHỨNG SINH";
    const bool father = parent.sex == "Nam";
    const std::string mother = father ? people.fullName("Nữ") : parent.fullName;
    const Date born = addDays(today, -rng.uniform(8, 60));
    const std::string childSex = rng.chance(50) ? "Nam" : "Nữ";
    d.body = {
        Field{"Họ và tên mẹ:", mother},
        FieldRow{{{"Năm sinh:", std::to_string(parent.birth.year + (father ? rng.uniform(0, 4) : 0))}, {"Dân tộc:", "Kinh"}}, {50, 50}},
        Field{"Nơi đăng ký thường trú:", parent.residence.full()},
        Field{"Đã sinh con vào lúc:", two(rng.uniform(0, 23)) + " giờ " + two(rng.uniform(0, 59)) + " phút, " + born.longForm()},
        Field{"Tại:", hospital},
        FieldRow{{{"Số con trong lần sinh này:", "01"}, {"Giới tính của con:", childSex}}, {55, 45}},
        Field{"Cân nặng:", std::to_string(rng.uniform(25, 40) / 10) + "," + std::to_string(rng.uniform(0, 9)) + " kg"},
        Field{"Tình trạng sức khỏe của con khi sinh:", "Bình thường"},
        Field{"Dự định đặt tên con là:", rng.chance(70) ? people.fullName(childSex) : ""},
        Prose{"Giấy chứng sinh này được cấp để làm thủ tục đăng ký khai sinh cho trẻ.", false, false, true},
    };
    d.placeDate = parent.residence.provinceShort + ", " + addDays(born, rng.uniform(1, 4)).longForm();
    d.signers = {{"Người đỡ đẻ", "(Ký, ghi rõ họ tên)", people.fullName(rng.chance(70) ? "Nữ" : "Nam")},
                 {"THỦ TRƯỞNG CƠ SỞ Y TẾ", "(Ký, đóng dấu)", people.fullName(rng.chance(50) ? "Nữ" : "Nam")}};
    d.seal = Seal{sealRim(hospital.size() > 40 ? "Bệnh viện " + parent.residence.provinceShort : hospital, parent.residence.provinceShort)};
    return d;
}

DocSpec deathNotice(Rng& rng, PeopleGen& people, const Person& dead, const Date& died, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    const bool hospital = rng.chance(50);
    d.agency = hospital ? std::vector<std::string>{"SỞ Y TẾ " + upperVi(dead.residence.provinceShort), "BỆNH VIỆN ĐA KHOA"}
                        : std::vector<std::string>{"ỦY BAN NHÂN DÂN", upperVi(dead.residence.commune)};
    d.agencyNumber = "Số: " + std::to_string(rng.uniform(10, 999)) + "/GBT";
    d.title = "GIẤY BÁO TỬ";
    d.body = {
        Field{"Họ, chữ đệm, tên:", dead.fullName},
        FieldRow{{{"Giới tính:", dead.sex}, {"Ngày, tháng, năm sinh:", dead.birth.dmy()}}, {35, 65}},
        FieldRow{{{"Dân tộc:", dead.ethnicity}, {"Quốc tịch:", "Việt Nam"}}, {50, 50}},
        Field{"Nơi cư trú:", dead.residence.full()},
        Field{"Đã chết vào lúc:", two(rng.uniform(0, 23)) + " giờ " + two(rng.uniform(0, 59)) + " phút, " + died.longForm()},
        Field{"Nơi chết:", hospital ? "Bệnh viện Đa khoa " + dead.residence.provinceShort : "Tại nhà riêng"},
        Field{"Nguyên nhân chết:", pick(rng, {"Già yếu", "Bệnh", "Suy tim", "Tai biến mạch máu não"})},
    };
    d.placeDate = dead.residence.provinceShort + ", " + addDays(died, rng.uniform(0, 3)).longForm();
    d.signers = {{hospital ? "GIÁM ĐỐC" : "CHỦ TỊCH", "", people.fullName(rng.chance(60) ? "Nam" : "Nữ")}};
    d.seal = Seal{sealRim(hospital ? "Bệnh viện đa khoa" : "Ủy ban nhân dân " + dead.residence.commune, dead.residence.provinceShort)};
    (void)today;
    return d;
}

DocSpec maritalStatus(Rng& rng, PeopleGen& people, const Person& p, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.agency = {"ỦY BAN NHÂN DÂN", upperVi(p.residence.commune)};
    d.agencyNumber = "Số: " + std::to_string(rng.uniform(10, 999)) + "/UBND-XNTTHN";
    d.title = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN";
    d.body = {
        Prose{"Xét đề nghị của " + std::string(p.sex == "Nam" ? "ông " : "bà ") + p.fullName + " về việc cấp Giấy xác nhận tình trạng hôn nhân,", false, false, false, 60},
        Prose{"ỦY BAN NHÂN DÂN " + upperVi(p.residence.commune) + " XÁC NHẬN:", true, true},
        Field{"Họ, chữ đệm, tên:", p.fullName},
        FieldRow{{{"Ngày, tháng, năm sinh:", p.birth.dmy()}, {"Giới tính:", p.sex}}, {60, 40}},
        Field{"Số định danh cá nhân:", p.idNumber},
        Field{"Nơi cư trú:", p.residence.full()},
        Field{"Tình trạng hôn nhân:", "Chưa đăng ký kết hôn với ai"},
        Field{"Giấy này được cấp để:", "làm thủ tục kết hôn"},
        Prose{"Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.", false, false, true},
    };
    d.placeDate = p.residence.commune.substr(p.residence.commune.find(' ') + 1) + ", " + addDays(today, -rng.uniform(10, 60)).longForm();
    d.signers = {{"CHỦ TỊCH", "", people.fullName(rng.chance(60) ? "Nam" : "Nữ")}};
    d.seal = Seal{sealRim("Ủy ban nhân dân " + p.residence.commune, p.residence.provinceShort)};
    return d;
}

DocSpec leaseContract(Rng& rng, PeopleGen& people, const Person& tenant, const Business& b, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.title = "HỢP ĐỒNG THUÊ MẶT BẰNG";
    const Person owner = people.person(rng.chance(50) ? "Nam" : "Nữ", 1950, 1985, 0);
    const Date start = addDays(today, rng.uniform(5, 30));
    const std::string ownerTitle = owner.sex == "Nam" ? "Ông " : "Bà ";
    const std::string tenantTitle = tenant.sex == "Nam" ? "Ông " : "Bà ";
    d.body = {
        Prose{"Hôm nay, " + addDays(today, -rng.uniform(5, 30)).longForm() + ", tại " + kCommune + ", " + kProvince + ", chúng tôi gồm:", false, false, false, 60},
        Prose{"Bên cho thuê (Bên A): " + ownerTitle + owner.fullName + ", số định danh cá nhân " + owner.idNumber + ", địa chỉ: " + owner.residence.full() + "."},
        Prose{"Bên thuê (Bên B): " + tenantTitle + tenant.fullName + ", số định danh cá nhân " + tenant.idNumber + ", địa chỉ: " + tenant.residence.full() + "."},
        Prose{"Hai bên thống nhất ký hợp đồng thuê mặt bằng với các điều khoản sau:"},
        Prose{"Điều 1. Bên A cho Bên B thuê mặt bằng diện tích " + std::to_string(rng.uniform(20, 120)) + " mét vuông tại " + b.address + " để sử dụng vào mục đích kinh doanh."},
        Prose{"Điều 2. Thời hạn thuê là " + std::to_string(rng.uniform(1, 5) * 12) + " tháng, kể từ " + start.longForm() + "."},
        Prose{"Điều 3. Giá thuê là " + money(rng.uniform(15, 120) * 100000L) + " đồng/tháng, thanh toán vào ngày " + two(rng.uniform(1, 10)) + " hằng tháng."},
        Prose{"Điều 4. Bên B sử dụng mặt bằng đúng mục đích, giữ gìn vệ sinh, không sửa chữa kết cấu khi chưa có sự đồng ý của Bên A."},
        Prose{"Điều 5. Bên A bảo đảm quyền sử dụng mặt bằng hợp pháp, không có tranh chấp trong thời hạn thuê."},
        Prose{"Điều 6. Hợp đồng được lập thành 02 bản, mỗi bên giữ 01 bản, có giá trị pháp lý như nhau."},
    };
    d.signers = {{"BÊN CHO THUÊ", "(Ký, ghi rõ họ tên)", owner.fullName}, {"BÊN THUÊ", "(Ký, ghi rõ họ tên)", tenant.fullName}};
    return d;
}

DocSpec householdList(Rng& rng, PeopleGen& people, const Person& head, const std::string& title, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.title = title;
    d.body.push_back(Field{"Chủ hộ:", head.fullName});
    d.body.push_back(Field{"Nơi cư trú:", head.residence.full()});
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"1", head.fullName, head.birth.dmy(), "Chủ hộ"});
    const int n = rng.uniform(2, 5);
    const std::string family = head.fullName.substr(0, head.fullName.find(' '));
    for (int i = 0; i < n; ++i) {
        const std::string rel = pick(rng, {"Vợ", "Chồng", "Con", "Con", "Cháu", "Mẹ"});
        const bool male = rel == "Chồng" || (rel != "Vợ" && rel != "Mẹ" && rng.chance(50));
        const Date b = people.date(rel == "Con" || rel == "Cháu" ? 1995 : 1945, rel == "Con" || rel == "Cháu" ? 2020 : 1995);
        rows.push_back({std::to_string(i + 2), people.fullName(male ? "Nam" : "Nữ", rel == "Con" ? family : ""), b.dmy(), rel});
    }
    d.body.push_back(Table{{"STT", "Họ và tên", "Ngày sinh", "Quan hệ với chủ hộ"}, rows, {10, 44, 22, 24}, false});
    d.body.push_back(Prose{"Danh sách trên do chủ hộ kê khai và chịu trách nhiệm về tính chính xác.", false, false, true});
    d.placeDate = kCommuneName + ", " + addDays(today, -rng.uniform(1, 10)).longForm();
    d.signers = {{"Chủ hộ", "(Ký, ghi rõ họ tên)", head.fullName}};
    return d;
}

DocSpec disabilityCertificate(Rng& rng, PeopleGen& people, const Person& p, const std::string& disability, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.frame = true;
    d.style.left = std::max(d.style.left, 190);
    d.style.right = std::min(d.style.right, 1464);
    d.style.top = std::max(d.style.top, 190);
    d.agency = {"ỦY BAN NHÂN DÂN", upperVi(p.residence.commune)};
    d.agencyNumber = "Số: " + std::to_string(rng.uniform(10, 500)) + "/GXNKT";
    d.title = "GIẤY XÁC NHẬN KHUYẾT TẬT";
    d.body = {
        Field{"Họ và tên:", p.fullName},
        FieldRow{{{"Ngày sinh:", p.birth.dmy()}, {"Giới tính:", p.sex}}, {60, 40}},
        Field{"Nơi cư trú:", p.residence.full()},
        Field{"Dạng khuyết tật:", disability.substr(0, disability.find(';'))},
        Field{"Mức độ khuyết tật:", pick(rng, {"Khuyết tật nặng", "Khuyết tật đặc biệt nặng", "Khuyết tật nhẹ"})},
        Prose{"Giấy xác nhận này có giá trị đến khi có quyết định thay đổi của cơ quan có thẩm quyền.", false, false, true},
    };
    d.placeDate = p.residence.commune.substr(p.residence.commune.find(' ') + 1) + ", " + addDays(today, -rng.uniform(30, 400)).longForm();
    d.signers = {{"CHỦ TỊCH", "", people.fullName(rng.chance(60) ? "Nam" : "Nữ")}};
    d.seal = Seal{sealRim("Ủy ban nhân dân " + p.residence.commune, p.residence.provinceShort)};
    return d;
}

DocSpec parcelSurvey(Rng& rng, PeopleGen& people, const Person& owner, const Parcel& p, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.agency = {"SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI"};
    d.title = "TRÍCH ĐO BẢN ĐỒ ĐỊA CHÍNH THỬA ĐẤT";
    std::vector<std::vector<std::string>> rows;
    const int corners = rng.uniform(4, 6);
    long x = rng.uniform(1180000, 1190000), yv = rng.uniform(560000, 580000);
    for (int i = 0; i < corners; ++i) {
        const int len = rng.uniform(80, 400);
        rows.push_back({std::to_string(i + 1), money(x) + "," + two(rng.uniform(0, 99)), money(yv) + "," + two(rng.uniform(0, 99)),
                        std::to_string(len / 10) + "," + std::to_string(len % 10)});
        x += rng.uniform(-30, 30);
        yv += rng.uniform(-30, 30);
    }
    d.body = {
        FieldRow{{{"Thửa đất số:", std::to_string(p.number)}, {"Tờ bản đồ số:", std::to_string(p.sheet)}}, {50, 50}},
        Field{"Địa chỉ thửa đất:", p.address},
        Field{"Diện tích:", p.area + " m²"},
        Field{"Mục đích sử dụng đất:", p.use},
        Field{"Tên người sử dụng đất:", owner.fullName},
        Prose{"BẢNG KÊ TỌA ĐỘ ĐIỂM GÓC RANH GIỚI THỬA ĐẤT", true, true},
        Table{{"Điểm", "X (m)", "Y (m)", "Cạnh (m)"}, rows, {16, 30, 30, 24}, false},
    };
    d.placeDate = "Long An, " + addDays(today, -rng.uniform(20, 200)).longForm();
    d.signers = {{"Người đo đạc", "(Ký, ghi rõ họ tên)", people.fullName("Nam")}, {"GIÁM ĐỐC", "", people.fullName(rng.chance(50) ? "Nam" : "Nữ")}};
    d.seal = Seal{sealRim("Văn phòng đăng ký đất đai", "Long An")};
    return d;
}

DocSpec authorisation(Rng& rng, const Person& from, const Person& to, const std::string& purpose, const Date& today)
{
    DocSpec d;
    d.style = randomStyle(rng);
    d.title = "GIẤY ỦY QUYỀN";
    d.body = {
        Prose{"Bên ủy quyền: " + from.fullName + ", sinh ngày " + from.birth.dmy() + ", số định danh cá nhân " + from.idNumber + ", cư trú tại " + from.residence.full() + "."},
        Prose{"Bên được ủy quyền: " + to.fullName + ", sinh ngày " + to.birth.dmy() + ", số định danh cá nhân " + to.idNumber + ", cư trú tại " + to.residence.full() + "."},
        Prose{"Nội dung ủy quyền: Bên được ủy quyền thay mặt Bên ủy quyền gửi hồ sơ, nhận kết quả " + purpose + " tại Ủy ban nhân dân " + kCommune + "."},
        Prose{"Thời hạn ủy quyền: kể từ ngày ký đến khi hoàn thành công việc được ủy quyền."},
    };
    d.placeDate = kCommuneName + ", " + addDays(today, -rng.uniform(2, 20)).longForm();
    d.signers = {{"BÊN ĐƯỢC ỦY QUYỀN", "(Ký, ghi rõ họ tên)", to.fullName}, {"BÊN ỦY QUYỀN", "(Ký, ghi rõ họ tên)", from.fullName}};
    return d;
}

// ---- ID cards -------------------------------------------------------------------------

const std::vector<std::string> kFeatures = {
    "Nốt ruồi cách 2cm trên mép phải", "Sẹo chấm cách 1cm dưới đuôi mắt trái", "Nốt ruồi cách 1,5cm dưới cánh mũi phải",
    "Sẹo chấm cách 2cm trên đầu lông mày trái", "Nốt ruồi cách 3cm dưới sau mép trái", "Sẹo chấm cách 1cm trên cánh mũi trái"};

std::string expiryFor(const Person& p, const Date& issue)
{
    for (int age : {25, 40, 60}) {
        const int y = p.birth.year + age;
        if (y > issue.year + 1) {
            Date e = p.birth;
            e.year = y;
            if (e.month == 2 && e.day == 29)
                e.day = 28;
            return e.dmy();
        }
    }
    return "Không thời hạn";
}

std::vector<std::string> mrzLines(const Person& p, const std::string& expiry)
{
    const std::string doc = p.idNumber.substr(3);
    std::string l1 = "IDVNM" + doc + std::to_string(mrzCheck(doc)) + p.idNumber + "<<<";
    auto yymmdd = [](const Date& d) {
        char b[8];
        std::snprintf(b, sizeof b, "%02d%02d%02d", d.year % 100, d.month, d.day);
        return std::string(b);
    };
    const std::string dob = yymmdd(p.birth);
    std::string exp = "<<<<<<";
    if (expiry.size() == 10)
        exp = expiry.substr(8, 2) + expiry.substr(3, 2) + expiry.substr(0, 2);
    std::string l2 = dob + std::to_string(mrzCheck(dob)) + (p.sex == "Nam" ? "M" : "F") + exp +
                     (exp == "<<<<<<" ? "<" : std::to_string(mrzCheck(exp))) + "VNM" + std::string(11, '<');
    const std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
    l2 += std::to_string(mrzCheck(composite));
    const std::string ascii = asciiUpper(p.fullName);
    const std::size_t sp = ascii.find(' ');
    std::string l3 = ascii.substr(0, sp) + "<<" + ascii.substr(sp + 1);
    std::replace(l3.begin(), l3.end(), ' ', '<');
    if (l3.size() > 30)
        l3 = l3.substr(0, 30);
    l3 += std::string(30 - l3.size(), '<');
    return {l1, l2, l3};
}

IdCardSpec cardFor(Rng& rng, PeopleGen& people, const Person& p, CardKind kind, const Date& today)
{
    IdCardSpec c;
    c.kind = kind;
    c.fullName = upperVi(p.fullName);
    c.dateOfBirth = p.birth.dmy();
    c.sex = p.sex;
    c.origin = p.hometown;
    c.residence = p.residence.full();
    c.placeOfBirth = p.hometown.substr(p.hometown.rfind(", ") + 2);
    c.ethnicity = p.ethnicity;
    c.features = pick(rng, kFeatures);
    c.sideBySide = rng.chance(30);
    c.offsetX = rng.uniform(-60, 60);
    c.offsetY = rng.uniform(-80, 120);
    Date issue = people.date(kind == CardKind::CanCuoc2024 ? 2024 : kind == CardKind::Cccd2021 ? 2021 : 2008,
                             kind == CardKind::CanCuoc2024 ? today.year : kind == CardKind::Cccd2021 ? 2023 : 2015);
    if (issue.year == today.year && issue.month >= today.month)
        issue.month = std::max(1, today.month - 2);
    c.issueDate = issue.dmy();
    c.expiryDate = expiryFor(p, issue);
    if (kind == CardKind::Cmnd) {
        c.number = p.oldId;
        c.issueDate = two(issue.day) + " tháng " + two(issue.month) + " năm " + std::to_string(issue.year);
        c.issuer = "GIÁM ĐỐC CÔNG AN " + upperVi(p.residence.provinceShort);
        return c;
    }
    c.number = p.idNumber;
    c.issuer = "CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI";
    c.mrz = mrzLines(p, c.expiryDate);
    // QR payloads: the 7-field form (with the old 9-digit number) and the longer forms with
    // the parents' names.
    const std::string head = p.idNumber + "|";
    const std::string tail = "|" + p.fullName + "|" + p.birth.compact() + "|" + p.sex + "|" + p.residence.full() + "|" +
                             issue.compact();
    const int form = kind == CardKind::CanCuoc2024 ? 2 : rng.uniform(0, 2);
    if (form == 0)
        c.qrPayload = head + p.oldId + tail;
    else if (form == 1)
        c.qrPayload = head + tail;
    else
        c.qrPayload = head + tail + "|" + people.fullName("Nam", p.fullName.substr(0, p.fullName.find(' '))) + "|" +
                      people.fullName("Nữ") + "|";
    if (rng.chance(35)) {
        c.certification = {"CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH",
                           "Số chứng thực: " + std::to_string(rng.uniform(10, 4999)) + ", quyển số: " + two(rng.uniform(1, 9)) + "/" +
                               std::to_string(today.year) + "-SCT/BS",
                           addDays(today, -rng.uniform(3, 40)).longForm().replace(0, 1, "N")};
        c.certifierRole = pick(rng, {"PHÓ CHỦ TỊCH", "CHỦ TỊCH", "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH"});
        c.certifierName = people.fullName(rng.chance(60) ? "Nam" : "Nữ");
        c.certifierSealRim = sealRim("Ủy ban nhân dân " + p.residence.commune, p.residence.provinceShort);
    }
    return c;
}

// ---- envelope ---------------------------------------------------------------------------

struct Service {
    std::string prefix, heading;
};

Service pickService(Rng& rng)
{
    const int r = rng.uniform(0, 99);
    if (r < 40) return {"EE", "EMS - CHUYỂN PHÁT NHANH"};
    if (r < 45) return {"EA", "EMS - CHUYỂN PHÁT NHANH"};
    if (r < 65) return {"RR", pick(rng, {"BƯU PHẨM ĐẢM BẢO", "BƯU GỬI ĐẢM BẢO"})};
    if (r < 75) return {"RA", "BƯU GỬI ĐẢM BẢO"};
    if (r < 80) return {"RB", "BƯU PHẨM ĐẢM BẢO"};
    if (r < 90) return {"CP", "BƯU KIỆN"};
    return {"LP", "BƯU PHẨM CÓ SỐ HIỆU"};
}

std::string s10(Rng& rng, const std::string& prefix)
{
    std::string serial;
    for (int i = 0; i < 8; ++i)
        serial += static_cast<char>('0' + rng.uniform(0, 9));
    return prefix + serial + std::to_string(s10CheckDigit(serial)) + "VN";
}

cv::Scalar envelopePaper(Rng& rng, std::string& tint)
{
    const int r = rng.uniform(0, 99);
    if (r < 40) { tint = "white"; const int g = rng.uniform(236, 248); return cv::Scalar(g, g, g); }
    if (r < 60) { tint = "cream"; return cv::Scalar(rng.uniform(205, 220), rng.uniform(232, 240), rng.uniform(240, 248)); }
    if (r < 85) { tint = "kraft"; return cv::Scalar(rng.uniform(130, 155), rng.uniform(170, 190), rng.uniform(205, 220)); }
    if (r < 93) { tint = "blue"; return cv::Scalar(rng.uniform(238, 246), rng.uniform(222, 232), rng.uniform(200, 212)); }
    tint = "grey";
    const int g = rng.uniform(218, 228);
    return cv::Scalar(g, g, g);
}

} // namespace

const std::vector<ProcedureInfo>& procedures()
{
    static const std::vector<ProcedureInfo> p = {
        {"birth_registration", "1.001193", "Đăng ký khai sinh", "office", true},
        {"marriage_registration", "1.000894", "Đăng ký kết hôn", "office", true},
        {"death_registration", "1.000656", "Đăng ký khai tử", "office", true},
        {"business_household_registration", "1.001612", "Đăng ký thành lập hộ kinh doanh", "economic", false},
        {"land_first_certificate", "", "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "economic", false},
        {"social_allowance", "", "Trợ cấp xã hội hàng tháng", "culture_social", false},
    };
    return p;
}

Dossier makeDossier(int procedure, bool withEnvelope, const DossierOptions& o, Rng& rng)
{
    PeopleGen people(rng);
    const ProcedureInfo& proc = procedures().at(static_cast<std::size_t>(procedure));
    const double scale = o.scale;
    Dossier d;
    d.procedure = procedure;

    // ---- who applies -------------------------------------------------------------------
    const int localProvince = 0; // Long An: most applicants live near the commune
    auto local = [&] { return rng.chance(70) ? localProvince : -1; };
    Person applicant;
    if (proc.id == "birth_registration")
        applicant = people.person(rng.chance(55) ? "Nam" : "Nữ", 1982, 2004, local());
    else if (proc.id == "marriage_registration")
        applicant = people.person("Nữ", 1988, 2005, local());
    else if (proc.id == "death_registration")
        applicant = people.person(rng.chance(50) ? "Nam" : "Nữ", 1958, 1995, local());
    else if (proc.id == "business_household_registration")
        applicant = people.person(rng.chance(50) ? "Nam" : "Nữ", 1965, 2003, local());
    else if (proc.id == "land_first_certificate")
        applicant = people.person(rng.chance(60) ? "Nam" : "Nữ", 1948, 1992, local());
    else
        applicant = people.person(rng.chance(50) ? "Nam" : "Nữ", 1938, 1966, local());

    // ID card: required for civil status procedures; a no-QR card (old CMND) on some.
    bool card = proc.needsIdCard || rng.chance(60);
    CardKind kind = CardKind::Cccd2021;
    const int k = rng.uniform(0, 99);
    kind = k < 55 ? CardKind::Cccd2021 : k < 90 ? CardKind::CanCuoc2024 : CardKind::Cmnd;
    if (proc.id == "marriage_registration" && kind == CardKind::Cmnd)
        kind = CardKind::Cccd2021; // the form prints no sex field: keep the card's QR
    const bool qrCard = card && kind != CardKind::Cmnd;

    FormApplicant fa{applicant, applicant.idNumber};
    if (qrCard && rng.chance(4)) { // a digit mistyped on the form
        std::string& id = fa.idOnForm;
        const std::size_t pos = static_cast<std::size_t>(rng.uniform(4, 11));
        id[pos] = static_cast<char>('0' + (id[pos] - '0' + rng.uniform(1, 9)) % 10);
        d.notes.push_back("form_id_differs_from_card");
    } else if (!qrCard && rng.chance(6)) {
        fa.idOnForm.clear();
        d.notes.push_back("form_id_left_blank");
    }

    // ---- the documents -------------------------------------------------------------------
    const Date today = o.today;
    auto addDoc = [&](const std::string& type, const std::string& kindName, const DocSpec& spec) {
        d.docs.push_back({type, kindName, layoutDocument(spec, a4Paper(rng), scale, rng)});
    };
    auto addCard = [&](const Person& p, CardKind ck) {
        const IdCardSpec spec = cardFor(rng, people, p, ck, today);
        const char* name = ck == CardKind::Cccd2021 ? "cccd_2021" : ck == CardKind::CanCuoc2024 ? "can_cuoc_2024" : "cmnd";
        d.docs.push_back({"id_card", name, {drawIdCard(spec, a4Paper(rng), scale, rng)}});
    };
    std::vector<std::pair<std::string, DocSpec>> supporting;
    DocSpec form;
    std::optional<Person> second; // second card in the dossier (spouse, groom)
    std::string purpose;
    if (proc.id == "birth_registration") {
        form = birthForm(rng, people, fa, today);
        purpose = "đăng ký khai sinh";
        if (rng.chance(85))
            supporting.push_back({"giay_chung_sinh", birthCertificate(rng, people, applicant, today)});
        if (rng.chance(10))
            second = people.person(applicant.sex == "Nam" ? "Nữ" : "Nam", 1982, 2004, 0);
    } else if (proc.id == "marriage_registration") {
        const Person groom = people.person("Nam", 1985, 2003, local());
        form = marriageForm(rng, fa, groom, today);
        purpose = "đăng ký kết hôn";
        if (rng.chance(50))
            supporting.push_back({"xac_nhan_tinh_trang_hon_nhan", maritalStatus(rng, people, rng.chance(50) ? applicant : groom, today)});
        if (rng.chance(40))
            second = groom;
    } else if (proc.id == "death_registration") {
        Person dead = people.person(rng.chance(50) ? "Nam" : "Nữ", 1925, 1958, 0);
        dead.residence = applicant.residence;
        const Date died = addDays(today, -rng.uniform(3, 40));
        const std::string relation = pick(rng, {"Con", "Con", "Vợ", "Chồng", "Cháu"});
        form = deathForm(rng, fa, dead, died, relation, today);
        purpose = "đăng ký khai tử";
        if (rng.chance(85))
            supporting.push_back({"giay_bao_tu", deathNotice(rng, people, dead, died, today)});
    } else if (proc.id == "business_household_registration") {
        const Business b = makeBusiness(rng, people, applicant);
        form = businessForm(rng, people, fa, b, today);
        purpose = "đăng ký hộ kinh doanh";
        if (rng.chance(60))
            supporting.push_back({"hop_dong_thue", leaseContract(rng, people, applicant, b, today)});
        if (rng.chance(30))
            supporting.push_back({"danh_sach_thanh_vien", householdList(rng, people, applicant, "BIÊN BẢN HỌP THÀNH VIÊN HỘ GIA ĐÌNH", today)});
    } else if (proc.id == "land_first_certificate") {
        const Parcel parcel = makeParcel(rng, applicant);
        form = landForm(rng, fa, parcel, today);
        purpose = "cấp Giấy chứng nhận quyền sử dụng đất";
        if (rng.chance(70))
            supporting.push_back({"trich_do_dia_chinh", parcelSurvey(rng, people, applicant, parcel, today)});
    } else {
        const bool disabled = rng.chance(60);
        const std::string disability = disabled ? pick(rng, {"Khuyết tật vận động; mức độ nặng", "Khuyết tật nghe, nói; mức độ nặng",
                                                             "Khuyết tật nhìn; mức độ đặc biệt nặng", "Khuyết tật trí tuệ; mức độ nặng"})
                                                : "Không";
        form = socialForm(rng, fa, disability, today);
        purpose = "trợ cấp xã hội hàng tháng";
        if (disabled && rng.chance(80))
            supporting.push_back({"giay_xac_nhan_khuyet_tat", disabilityCertificate(rng, people, applicant, disability, today)});
        if (rng.chance(40))
            supporting.push_back({"danh_sach_thanh_vien", householdList(rng, people, applicant, "DANH SÁCH THÀNH VIÊN HỘ GIA ĐÌNH", today)});
    }

    // The sender: the applicant, or a relative posting for them (sometimes with an authorisation).
    Person sender = applicant;
    if (rng.chance(22)) {
        sender = people.person(rng.chance(50) ? "Nam" : "Nữ", 1960, 2004, 0);
        sender.residence = rng.chance(60) ? applicant.residence : sender.residence;
        if (rng.chance(50))
            supporting.push_back({"giay_uy_quyen", authorisation(rng, applicant, sender, purpose, today)});
    }

    // Scan order: the form first mostly, cards, then supporting documents.
    const bool cardFirst = rng.chance(15);
    if (!cardFirst)
        addDoc("application_form", "form", form);
    if (card) {
        addCard(applicant, kind);
        if (second)
            addCard(*second, rng.chance(50) ? CardKind::Cccd2021 : CardKind::CanCuoc2024);
    }
    if (cardFirst)
        addDoc("application_form", "form", form);
    for (const auto& [name, spec] : supporting)
        addDoc("supporting_document", name, spec);

    // ---- envelope ---------------------------------------------------------------------------
    d.sender = {{"name", nullptr}, {"address", nullptr}, {"phone", nullptr}};
    if (withEnvelope) {
        EnvelopeSpec e;
        int pages = 0;
        for (const auto& doc : d.docs)
            pages += static_cast<int>(doc.pages.size());
        const int sz = rng.uniform(0, 99);
        if (pages > 5 && sz < 50) {
            e.sizeName = "C4", e.size = {2551, 1803};
        } else if (sz < 55) {
            e.sizeName = "DL", e.size = {1732, 866};
        } else if (sz < 85) {
            e.sizeName = "C5", e.size = {1803, 1276};
        } else {
            e.sizeName = "C4", e.size = {2551, 1803};
        }
        std::string tint;
        e.paper = envelopePaper(rng, tint);
        const int lay = rng.uniform(0, 99);
        e.layout = lay < 55 ? 0 : lay < 85 ? 1 : 2;
        d.envelopeLayout = e.layout == 0 ? "label_under_stamp" : e.layout == 1 ? "label_bottom_left" : "boxed";
        if (rng.chance(35))
            e.font = Font::NotoSans, e.fontBold = Font::NotoSansBold;
        else if (rng.chance(20))
            e.font = Font::SansCondensed, e.fontBold = Font::SansCondensedBold;
        const bool caps = rng.chance(25);
        e.senderName = caps ? upperVi(sender.fullName) : sender.fullName;
        e.senderAddress = sender.residence.full();
        const bool phone = rng.chance(92);
        e.senderPhone = phone ? people.phoneAsPrinted(sender.phone) : "";
        if (e.layout == 2) {
            e.senderLabel = "NGƯỜI GỬI";
        } else {
            const int l = rng.uniform(0, 9);
            e.senderLabel = l < 8 ? "Người gửi:" : l < 9 ? "NGƯỜI GỬI:" : "Người gửi / From:";
        }
        e.addressLabel = rng.chance(85) ? "Địa chỉ:" : "Đ/c:";
        const int pl = rng.uniform(0, 9);
        e.phoneLabel = pl < 6 ? "Điện thoại:" : pl < 8 ? "ĐT:" : "SĐT:";
        if (e.layout == 2)
            e.recipient = {"Tên: Trung tâm Phục vụ hành chính công " + kCommune, "Địa chỉ: Ủy ban nhân dân " + kCommune + ", " + kProvince};
        else
            switch (rng.uniform(0, 2)) {
            case 0:
                e.recipient = {"Người nhận: Trung tâm Phục vụ hành chính công " + kCommune,
                               "Địa chỉ: Ủy ban nhân dân " + kCommune + ", " + kProvince};
                break;
            case 1:
                e.recipient = {"Người nhận: Bộ phận Một cửa - UBND " + kCommune, "Địa chỉ: ấp Chợ, " + kCommune + ", " + kProvince,
                               "Điện thoại: 0272 3850 123"};
                break;
            default:
                e.recipient = {"Người nhận: Ủy ban nhân dân " + kCommune, "Bộ phận tiếp nhận và trả kết quả",
                               "Địa chỉ: " + kCommune + ", " + kProvince};
            }
        e.stamp = rng.chance(75);
        e.stampValue = pick(rng, {"4.000đ", "5.000đ", "8.000đ", "10.000đ"});
        const Service svc = pickService(rng);
        d.envelopeSize = e.sizeName;
        if (rng.chance(95)) {
            std::string id = s10(rng, svc.prefix);
            if (rng.chance(5)) { // a wrong check digit on the label
                id[10] = static_cast<char>('0' + (id[10] - '0' + rng.uniform(1, 9)) % 10);
                d.notes.push_back("tracking_check_digit_wrong");
            }
            e.label = PostalLabel{svc.heading, id, rng.chance(75),
                                  rng.chance(40) ? "KL: " + std::to_string(rng.uniform(2, 30) * 10) + "g - Cước: " +
                                                       money(rng.uniform(20, 60) * 1000L) + "đ"
                                                 : ""};
            d.tracking = id;
            d.trackingValid = s10Valid(id);
        } else {
            d.notes.push_back("no_postal_label");
        }
        if (rng.chance(88)) {
            Postmark pm;
            pm.rim = pick(rng, {"BC TÂN AN - LONG AN", "BƯU CỤC " + upperVi(sender.residence.provinceShort), "BĐ " + upperVi(sender.residence.provinceShort) + " - VNPOST"});
            const Date sent = addDays(today, -rng.uniform(1, 6));
            pm.date = two(sent.day) + "." + two(sent.month) + "." + two(sent.year % 100);
            pm.hour = std::to_string(rng.uniform(7, 17)) + "H";
            pm.overText = rng.chance(o.overTextPercent);
            pm.ink = rng.uniform(70, 120);
            pm.purple = rng.chance(30);
            e.postmark = pm;
            d.postmarkOverText = pm.overText;
        }
        d.envelope = drawEnvelope(e, scale, rng);
        d.sender = {{"name", sender.fullName}, {"address", sender.residence.full()}, {"phone", phone ? Json(sender.phone) : Json(nullptr)}};
    } else {
        d.notes.push_back("no_envelope");
    }

    // ---- truth --------------------------------------------------------------------------
    if (qrCard) {
        d.applicant = {{"full_name", applicant.fullName}, {"id_number", applicant.idNumber},
                       {"date_of_birth", applicant.birth.iso()}, {"sex", applicant.sex},
                       {"address", applicant.residence.full()}, {"source", "id_card_qr"}};
    } else {
        d.applicant = {{"full_name", applicant.fullName},
                       {"id_number", fa.idOnForm.empty() ? Json(nullptr) : Json(fa.idOnForm)},
                       {"date_of_birth", applicant.birth.iso()}, {"sex", applicant.sex},
                       {"address", applicant.residence.full()}, {"source", "ocr"}};
    }
    if (!d.tracking)
        d.reasons.push_back("tracking_number_missing");
    else if (!d.trackingValid)
        d.reasons.push_back("tracking_number_invalid");
    if (qrCard && fa.idOnForm != applicant.idNumber)
        d.reasons.push_back("applicant_id_mismatch");
    if (!qrCard && fa.idOnForm.empty())
        d.reasons.push_back("applicant_incomplete");
    for (const auto& s : {applicant.fullName, applicant.residence.full(), sender.fullName, sender.residence.full()})
        if (!isNfcVietnamese(s))
            throw std::logic_error("generated text is not NFC: " + s);
    return d;
}

} // namespace samplegen::corpus
