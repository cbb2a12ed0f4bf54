#include "people.h"

#include <cstdio>
#include <stdexcept>
#include <utility>

namespace samplegen {

namespace {

struct Province {
    const char* name;  // as written in addresses
    const char* shortName;
    int code;          // personal ID prefix
    char region;       // N, C, S: hamlet words differ (thôn / xóm in the north, ấp in the south)
    std::vector<std::string> districts; // rural districts ("huyện ...")
    std::vector<std::string> towns;     // cities and towns with wards ("thành phố ...", "thị xã ...")
};

const std::vector<Province>& provinces()
{
    static const std::vector<Province> p = {
        {"tỉnh Long An", "Long An", 80, 'S', {"Đức Hòa", "Bến Lức", "Cần Giuộc", "Cần Đước", "Thủ Thừa", "Tân Trụ"}, {"thành phố Tân An", "thị xã Kiến Tường"}},
        {"Thành phố Hồ Chí Minh", "Hồ Chí Minh", 79, 'S', {"Củ Chi", "Hóc Môn", "Bình Chánh", "Nhà Bè"}, {"thành phố Thủ Đức", "quận 3", "quận Gò Vấp", "quận Bình Thạnh"}},
        {"tỉnh Tiền Giang", "Tiền Giang", 82, 'S', {"Cai Lậy", "Châu Thành", "Chợ Gạo", "Gò Công Đông"}, {"thành phố Mỹ Tho", "thị xã Gò Công"}},
        {"tỉnh Bến Tre", "Bến Tre", 83, 'S', {"Ba Tri", "Giồng Trôm", "Mỏ Cày Nam", "Bình Đại"}, {"thành phố Bến Tre"}},
        {"tỉnh Đồng Tháp", "Đồng Tháp", 87, 'S', {"Cao Lãnh", "Lai Vung", "Tháp Mười", "Thanh Bình"}, {"thành phố Sa Đéc", "thành phố Cao Lãnh"}},
        {"tỉnh An Giang", "An Giang", 89, 'S', {"Chợ Mới", "Phú Tân", "Thoại Sơn", "Tri Tôn"}, {"thành phố Long Xuyên", "thành phố Châu Đốc"}},
        {"Thành phố Cần Thơ", "Cần Thơ", 92, 'S', {"Phong Điền", "Thới Lai", "Cờ Đỏ", "Vĩnh Thạnh"}, {"quận Ninh Kiều", "quận Cái Răng"}},
        {"tỉnh Tây Ninh", "Tây Ninh", 72, 'S', {"Gò Dầu", "Trảng Bàng", "Dương Minh Châu", "Tân Biên"}, {"thành phố Tây Ninh"}},
        {"tỉnh Đồng Nai", "Đồng Nai", 75, 'S', {"Nhơn Trạch", "Long Thành", "Trảng Bom", "Định Quán"}, {"thành phố Biên Hòa"}},
        {"tỉnh Bình Dương", "Bình Dương", 74, 'S', {"Bàu Bàng", "Phú Giáo", "Dầu Tiếng"}, {"thành phố Thủ Dầu Một", "thành phố Dĩ An"}},
        {"tỉnh Cà Mau", "Cà Mau", 96, 'S', {"Thới Bình", "Trần Văn Thời", "Năm Căn"}, {"thành phố Cà Mau"}},
        {"tỉnh Khánh Hòa", "Khánh Hòa", 56, 'C', {"Diên Khánh", "Cam Lâm", "Vạn Ninh"}, {"thành phố Nha Trang", "thành phố Cam Ranh"}},
        {"tỉnh Bình Định", "Bình Định", 52, 'C', {"Tuy Phước", "Phù Cát", "Hoài Ân", "Tây Sơn"}, {"thành phố Quy Nhơn"}},
        {"Thành phố Đà Nẵng", "Đà Nẵng", 48, 'C', {"Hòa Vang"}, {"quận Hải Châu", "quận Thanh Khê", "quận Sơn Trà"}},
        {"Thành phố Huế", "Huế", 46, 'C', {"Phú Vang", "Quảng Điền", "Phong Điền"}, {"quận Thuận Hóa"}},
        {"tỉnh Nghệ An", "Nghệ An", 40, 'C', {"Nghi Lộc", "Diễn Châu", "Yên Thành", "Đô Lương"}, {"thành phố Vinh"}},
        {"tỉnh Thanh Hóa", "Thanh Hóa", 38, 'N', {"Hoằng Hóa", "Quảng Xương", "Thọ Xuân", "Nông Cống"}, {"thành phố Thanh Hóa", "thành phố Sầm Sơn"}},
        {"tỉnh Nam Định", "Nam Định", 36, 'N', {"Hải Hậu", "Giao Thủy", "Ý Yên", "Xuân Trường"}, {"thành phố Nam Định"}},
        {"tỉnh Thái Bình", "Thái Bình", 34, 'N', {"Kiến Xương", "Vũ Thư", "Quỳnh Phụ", "Tiền Hải"}, {"thành phố Thái Bình"}},
        {"Thành phố Hải Phòng", "Hải Phòng", 31, 'N', {"An Dương", "Thủy Nguyên", "Tiên Lãng", "Vĩnh Bảo"}, {"quận Lê Chân", "quận Ngô Quyền"}},
        {"Thành phố Hà Nội", "Hà Nội", 1, 'N', {"Mỹ Đức", "Thanh Oai", "Gia Lâm", "Đông Anh", "Ba Vì"}, {"quận Cầu Giấy", "quận Đống Đa", "quận Hà Đông"}},
        {"tỉnh Đắk Lắk", "Đắk Lắk", 66, 'C', {"Krông Pắc", "Cư M'gar", "Ea Kar"}, {"thành phố Buôn Ma Thuột"}},
        {"tỉnh Lâm Đồng", "Lâm Đồng", 68, 'C', {"Đức Trọng", "Lâm Hà", "Di Linh"}, {"thành phố Đà Lạt", "thành phố Bảo Lộc"}},
    };
    return p;
}

const std::vector<std::string> kSurnames = {
    "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Trần", "Lê", "Lê", "Lê",
    "Phạm", "Phạm", "Hoàng", "Huỳnh", "Huỳnh", "Phan", "Vũ", "Võ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Đinh", "Trương", "Lâm", "Mai", "Tạ", "Cao", "Lương", "Đoàn", "Quách", "Thái", "Trịnh", "Hà", "Châu",
    "Tô", "La", "Kiều", "Văn", "Từ", "Lưu", "Triệu", "Thân"};
const std::vector<std::string> kMiddleMale = {"Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân",
                                              "Ngọc", "Đình", "Trọng", "Hoàng", "Anh", "Gia", "Bảo", "Thành", "Quang",
                                              "Tấn", "Phước", "Chí", "Duy", "Khắc"};
const std::vector<std::string> kMiddleFemale = {"Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Hồng",
                                                "Bích", "Phương", "Thùy", "Minh", "Diệu", "Bảo", "Khánh", "Như", "Quỳnh",
                                                "Hoài", "Cẩm", "Tuyết"};
const std::vector<std::string> kGivenMale = {
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khoa", "Kiên", "Long",
    "Lợi", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Tiến",
    "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Lộc", "Hưng", "Thịnh", "Đức", "Bảo", "Khải",
    "Lâm", "Nhân", "Tú", "Hậu", "Thuận", "Tín", "Trọng", "Duy"};
const std::vector<std::string> kGivenFemale = {
    "Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Linh",
    "Loan", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Thủy", "Trang",
    "Trinh", "Tuyết", "Uyên", "Vân", "Yến", "Hiền", "Nga", "Nhi", "Thư", "Diễm", "Hậu", "Liên", "Lụa", "Xuân",
    "Ánh", "Đào", "Kiều", "Châu", "Quỳnh"};
const std::vector<std::string> kCommunes = {
    "Tân Phú", "An Bình", "Hòa Lợi", "Phước Lợi", "Long Hưng", "Bình Minh", "Tân Hiệp", "Thạnh Phú", "Mỹ Lộc",
    "Đông Hòa", "Tân Lập", "Hưng Long", "Vĩnh Thạnh", "Phú Mỹ", "Nhơn Hòa", "Hòa Bình", "Đức Lập", "Quảng Phú",
    "Xuân Sơn", "Định Hòa", "Tam Hiệp", "Hải Tiến", "Tân Thành", "Phước Hậu", "An Thạnh", "Mỹ Hạnh", "Lương Hòa",
    "Hựu Thạnh", "Đồng Tâm", "Yên Lạc", "Thanh Xuân", "Hồng Phong", "Nghĩa Hưng", "Trung Hòa", "Bình Thạnh",
    "Tân Bình", "Long Phước", "Vĩnh Lợi", "Phú Hòa", "Hiệp Thành"};
const std::vector<std::string> kHamletNames = {
    "Đông", "Tây", "Chợ", "Bình Hòa", "Phú Lợi", "An Thạnh", "Mỹ Điền", "Trung", "Hạ", "Thượng", "Yên Lạc",
    "Đồng Tâm", "Tân Hòa", "Rạch Gốc", "Cầu Đỏ", "Bàu Sen", "Giồng Cát", "Phước Thới", "Lộc Thành", "Đình"};
const std::vector<std::string> kStreets = {
    "Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt", "Nguyễn Trãi", "Hùng Vương",
    "Lê Duẩn", "Điện Biên Phủ", "Võ Thị Sáu", "Nguyễn Văn Cừ", "Trần Hưng Đạo", "Phan Đình Phùng", "Lê Hồng Phong",
    "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám", "Hoàng Hoa Thám", "Nguyễn Đình Chiểu", "Bạch Đằng", "Châu Văn Liêm",
    "Phạm Ngũ Lão", "Tôn Đức Thắng", "Nguyễn Du", "Ngô Quyền", "Lê Thánh Tôn", "Huỳnh Tấn Phát", "3 Tháng 2"};
// Mobile prefixes of Viettel, Vinaphone, MobiFone, Vietnamobile.
const std::vector<std::string> kMobilePrefixes = {"086", "096", "097", "098", "032", "033", "034", "035", "036", "037",
                                                  "038", "039", "088", "091", "094", "083", "084", "085", "081", "082",
                                                  "089", "090", "093", "070", "076", "077", "078", "079", "092", "056",
                                                  "058"};

std::string two(int v)
{
    char b[8];
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}

// UTF-8 <-> code points, enough for the Vietnamese letters here.
std::u32string decode(const std::string& s)
{
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > s.size())
            throw std::invalid_argument("invalid UTF-8");
        char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (int k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3Fu);
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

std::string encode(const std::u32string& s)
{
    std::string out;
    for (char32_t c : s) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// Vietnamese lowercase/uppercase letter pairs outside ASCII, and their base letters.
const std::u32string kLower = U"àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
const std::u32string kUpper = U"ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ";
const std::string kBase = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";

} // namespace

std::string Date::dmy() const { return two(day) + "/" + two(month) + "/" + std::to_string(year); }
std::string Date::iso() const { return std::to_string(year) + "-" + two(month) + "-" + two(day); }
std::string Date::compact() const { return two(day) + two(month) + std::to_string(year); }
std::string Date::longForm() const
{
    return "ngày " + two(day) + " tháng " + two(month) + " năm " + std::to_string(year);
}

std::string Address::full() const
{
    std::string s = line.empty() ? "" : line + ", ";
    s += commune + ", ";
    if (!district.empty())
        s += district + ", ";
    return s + province;
}

std::string upperVi(const std::string& s)
{
    std::u32string u = decode(s);
    for (char32_t& c : u) {
        if (c >= U'a' && c <= U'z')
            c = c - U'a' + U'A';
        else if (const auto p = kLower.find(c); p != std::u32string::npos)
            c = kUpper[p];
    }
    return encode(u);
}

std::string asciiUpper(const std::string& s)
{
    std::string out;
    for (char32_t c : decode(s)) {
        if (c < 0x80) {
            out += static_cast<char>(c >= U'a' && c <= U'z' ? c - U'a' + U'A' : c);
        } else if (const auto p = kLower.find(c); p != std::u32string::npos) {
            out += static_cast<char>(kBase[p] - 'a' + 'A');
        } else if (const auto q = kUpper.find(c); q != std::u32string::npos) {
            out += static_cast<char>(kBase[q] - 'a' + 'A');
        } else {
            out += '?';
        }
    }
    return out;
}

bool isNfcVietnamese(const std::string& s)
{
    for (char32_t c : decode(s))
        if (c >= 0x300 && c <= 0x36F)
            return false;
    return true;
}

std::string PeopleGen::pick(const std::vector<std::string>& v)
{
    return v[static_cast<std::size_t>(rng_.uniform(0, static_cast<int>(v.size()) - 1))];
}

int PeopleGen::provinceCount() const { return static_cast<int>(provinces().size()); }

std::string PeopleGen::surname() { return pick(kSurnames); }

std::string PeopleGen::givenName(const std::string& sex) { return pick(sex == "Nam" ? kGivenMale : kGivenFemale); }

std::string PeopleGen::fullName(const std::string& sex, const std::string& familyName)
{
    const std::string family = familyName.empty() ? surname() : familyName;
    const auto& middles = sex == "Nam" ? kMiddleMale : kMiddleFemale;
    std::string middle = pick(middles);
    while (middle == family)
        middle = pick(middles);
    if (rng_.chance(22)) { // two middle names: "Nguyễn Thị Thu Hà", "Trần Ngọc Bảo Anh"
        std::string second = pick(sex == "Nam" ? kGivenMale : kMiddleFemale);
        if (second != middle)
            middle += " " + second;
    }
    std::string given = givenName(sex);
    while (middle.size() >= given.size() && middle.compare(middle.size() - given.size(), given.size(), given) == 0)
        given = givenName(sex);
    return family + " " + middle + " " + given;
}

Date PeopleGen::date(int yearFrom, int yearTo)
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    Date d;
    d.year = rng_.uniform(yearFrom, yearTo);
    d.month = rng_.uniform(1, 12);
    d.day = rng_.uniform(1, kDays[d.month - 1]);
    return d;
}

std::string PeopleGen::streetName() { return pick(kStreets); }
std::string PeopleGen::communeName() { return pick(kCommunes); }

Address PeopleGen::address(int provinceIndex)
{
    const auto& all = provinces();
    const Province& p = all[static_cast<std::size_t>(
        provinceIndex >= 0 ? provinceIndex % static_cast<int>(all.size()) : rng_.uniform(0, static_cast<int>(all.size()) - 1))];
    Address a;
    a.province = p.name;
    a.provinceShort = p.shortName;
    a.provinceCode = p.code;
    const bool urban = rng_.chance(35);
    const bool withDistrict = rng_.chance(55); // old three-level addresses are still written
    if (urban) {
        const int style = rng_.uniform(0, 3);
        const std::string street = streetName();
        const std::string no = std::to_string(rng_.uniform(1, 420));
        if (style == 0)
            a.line = "Số " + no + " đường " + street;
        else if (style == 1)
            a.line = no + " " + street;
        else if (style == 2)
            a.line = "Số " + no + "/" + std::to_string(rng_.uniform(1, 40)) + " đường " + street;
        else
            a.line = "Tổ " + std::to_string(rng_.uniform(1, 30)) + ", khu phố " + std::to_string(rng_.uniform(1, 12));
        a.commune = rng_.chance(50) ? "phường " + std::to_string(rng_.uniform(1, 14)) : "phường " + communeName();
        if (withDistrict)
            a.district = pick(p.towns);
    } else {
        const std::string hamletWord = p.region == 'S' ? "ấp" : p.region == 'N' ? (rng_.chance(50) ? "thôn" : "xóm") : "thôn";
        const std::string hamlet = hamletWord + " " + (rng_.chance(35) ? std::to_string(rng_.uniform(1, 9)) : pick(kHamletNames));
        const int style = rng_.uniform(0, 3);
        if (style == 0)
            a.line = "Số " + std::to_string(rng_.uniform(1, 250)) + ", " + hamlet;
        else if (style == 1)
            a.line = "Tổ " + std::to_string(rng_.uniform(1, 15)) + ", " + hamlet;
        else
            a.line = hamlet;
        a.commune = "xã " + communeName();
        if (withDistrict)
            a.district = "huyện " + pick(p.districts);
    }
    return a;
}

std::string PeopleGen::phone()
{
    std::string s = pick(kMobilePrefixes);
    for (int i = 0; i < 7; ++i)
        s += static_cast<char>('0' + rng_.uniform(0, 9));
    return s;
}

std::string PeopleGen::phoneAsPrinted(const std::string& phone)
{
    switch (rng_.uniform(0, 5)) {
    case 0: return phone.substr(0, 4) + " " + phone.substr(4, 3) + " " + phone.substr(7);
    case 1: return phone.substr(0, 4) + "." + phone.substr(4, 3) + "." + phone.substr(7);
    case 2: return "+84 " + phone.substr(1, 3) + " " + phone.substr(4, 3) + " " + phone.substr(7);
    default: return phone;
    }
}

Person PeopleGen::person(const std::string& sex, int yearFrom, int yearTo, int provinceIndex)
{
    Person p;
    p.sex = sex;
    p.fullName = fullName(sex);
    p.birth = date(yearFrom, yearTo);
    p.residence = address(provinceIndex);
    // Personal ID: province of birth registration, sex and century, year, six-digit serial.
    const int century = p.birth.year >= 2000 ? 2 : 0;
    const int sexDigit = century + (sex == "Nam" ? 0 : 1);
    char id[16];
    std::snprintf(id, sizeof id, "%03d%d%02d%06d", rng_.chance(80) ? p.residence.provinceCode : provinces()[static_cast<std::size_t>(rng_.uniform(0, provinceCount() - 1))].code,
                  sexDigit, p.birth.year % 100, rng_.uniform(0, 999999));
    p.idNumber = id;
    char old[12];
    std::snprintf(old, sizeof old, "%09d", rng_.uniform(10000000, 399999999));
    p.oldId = old;
    p.phone = phone();
    p.ethnicity = rng_.chance(92) ? "Kinh" : pick({"Hoa", "Khmer", "Tày", "Thái", "Mường", "Nùng", "Chăm"});
    const Address home = address();
    p.hometown = home.commune + ", " + (home.district.empty() ? "" : home.district + ", ") + home.province;
    return p;
}

std::string PeopleGen::hospitalOf(const Address& a)
{
    switch (rng_.uniform(0, 3)) {
    case 0: return "Bệnh viện Đa khoa " + std::string(a.province.rfind("tỉnh ", 0) == 0 ? "tỉnh " : "") + a.provinceShort;
    case 1: return a.district.empty() ? "Trạm Y tế " + a.commune : "Trung tâm Y tế " + a.district;
    case 2: return "Bệnh viện Phụ sản " + a.provinceShort;
    default: return "Trạm Y tế " + a.commune;
    }
}

} // namespace samplegen
