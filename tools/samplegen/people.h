// Made-up Vietnamese people for the corpus: names, personal ID numbers consistent with birth
// date and sex, addresses (house, hamlet or street, commune or ward, sometimes the district,
// province) and mobile numbers, all from word lists in people.cpp and a seeded Rng.
// Every string is NFC (precomposed Vietnamese letters only; checked by isNfcVietnamese).
#pragma once

#include "rng.h"

#include <string>
#include <vector>

namespace samplegen {

struct Date {
    int day = 1, month = 1, year = 2000;
    std::string dmy() const;     // "05/03/1990"
    std::string iso() const;     // "1990-03-05"
    std::string compact() const; // "05031990" (CCCD QR form)
    std::string longForm() const; // "ngày 05 tháng 03 năm 1990"
};

struct Address {
    std::string line;     // house number and street, or hamlet: "Số 12, thôn Đông"
    std::string commune;  // "xã Tân Phú", "phường 4"
    std::string district; // "huyện Đức Hòa" or "" (two-level addresses since 2025)
    std::string province; // "tỉnh Long An", "Thành phố Hồ Chí Minh"
    std::string provinceShort; // "Long An", "Hồ Chí Minh"
    int provinceCode = 80;     // first three digits of personal ID numbers
    std::string full() const;  // joined with ", "
};

struct Person {
    std::string fullName;   // normal case: "Nguyễn Thị Thu Hà"
    std::string sex;        // "Nam" or "Nữ"
    Date birth;
    std::string idNumber;   // 12 digits: province, sex/century, year, serial
    std::string oldId;      // 9-digit CMND number
    Address residence;
    std::string phone;      // "0912345678"
    std::string ethnicity = "Kinh";
    std::string hometown;   // quê quán: "xã An Bình, huyện Cai Lậy, tỉnh Tiền Giang"
};

// Uppercase of a Vietnamese (NFC) string: "Nguyễn Văn An" -> "NGUYỄN VĂN AN".
std::string upperVi(const std::string& s);
// Without tones and marks, uppercase ASCII (for MRZ): "Nguyễn Văn An" -> "NGUYEN VAN AN".
std::string asciiUpper(const std::string& s);
// True if s holds no combining mark (U+0300..U+036F): Vietnamese text is then NFC.
bool isNfcVietnamese(const std::string& s);

class PeopleGen {
public:
    explicit PeopleGen(Rng& rng) : rng_(rng) {}

    std::string surname();
    std::string givenName(const std::string& sex);
    std::string fullName(const std::string& sex, const std::string& familyName = "");
    Date date(int yearFrom, int yearTo);
    Address address(int provinceIndex = -1);
    Person person(const std::string& sex, int yearFrom, int yearTo, int provinceIndex = -1);
    std::string phone();
    // A printed form of a phone number: "0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678".
    std::string phoneAsPrinted(const std::string& phone);
    std::string streetName();
    std::string communeName();
    std::string hospitalOf(const Address& a);
    std::string pick(const std::vector<std::string>& v);
    int provinceCount() const;

private:
    Rng& rng_;
};

} // namespace samplegen
