#include "stages/citizen_id_qr.h"

#include <vector>

#include "pipeline/text.h"

namespace intake::citizen_id {
namespace {

bool all_digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

bool has_letter(std::string_view s) {
  for (char c : s)
    if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

}  // namespace

std::optional<std::string> iso_date_from_ddmmyyyy(std::string_view s) {
  if (!all_digits(s, 8)) return std::nullopt;
  const int d = std::stoi(std::string(s.substr(0, 2)));
  const int m = std::stoi(std::string(s.substr(2, 2)));
  const int y = std::stoi(std::string(s.substr(4, 4)));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return std::nullopt;
  if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return std::string(s.substr(4, 4)) + "-" + std::string(s.substr(2, 2)) + "-" + std::string(s.substr(0, 2));
}

std::variant<Card, Rejected> parse(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) return Rejected{"payload longer than " + std::to_string(kMaxPayloadBytes) + " bytes"};
  if (!valid_utf8(payload)) return Rejected{"payload is not UTF-8"};
  std::vector<std::string> f;
  std::size_t start = 0;
  while (true) {
    const auto bar = payload.find('|', start);
    f.push_back(text::squeeze(payload.substr(start, bar == std::string_view::npos ? bar : bar - start)));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (f.size() < 6) return Rejected{"payload has " + std::to_string(f.size()) + " fields, a card has at least 6"};
  if (f.size() > 32) return Rejected{"payload has too many fields"};
  Card card;
  if (!all_digits(f[0], 12)) return Rejected{"first field is not a 12-digit ID number"};
  card.id_number = f[0];
  std::size_t i = 1;
  if (f[i].empty() || all_digits(f[i], 9)) {
    if (!f[i].empty()) card.old_id = f[i];
    ++i;
  }
  if (i >= f.size() || !has_letter(f[i])) return Rejected{"no full name after the ID number"};
  if (text::printable(f[i]) != f[i]) return Rejected{"the full name holds control characters"};
  card.full_name = text::nfc(f[i++]);
  if (i >= f.size()) return Rejected{"no birth date"};
  auto dob = iso_date_from_ddmmyyyy(f[i]);
  if (!dob) return Rejected{"birth date '" + f[i] + "' is not a ddMMyyyy date"};
  card.date_of_birth = *dob;
  ++i;
  if (i < f.size()) {
    const auto sex = text::nfc(f[i]);
    if (sex == "Nam" || sex == "Nữ") {
      card.sex = sex;
      ++i;
    }
  }
  if (i < f.size() && has_letter(f[i]) && !iso_date_from_ddmmyyyy(f[i])) card.address = text::nfc(f[i++]);
  if (i < f.size()) card.issue_date = iso_date_from_ddmmyyyy(f[i]);
  return card;
}

}  // namespace intake::citizen_id
