// The QR code on a Vietnamese chip-based citizen ID card (CCCD): UTF-8, '|'-separated.
// The 7-field form is: 12-digit ID number | old 9-digit ID (may be empty) | full name |
// birth date ddMMyyyy | sex | address | issue date ddMMyyyy. Newer cards append more fields
// (parents' names, ...), so fields are found by count and pattern, not fixed position.
// parse() treats its input as untrusted: any payload gives a value or a reason. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace intake::citizen_id {

struct Card {
  std::string id_number;                  // 12 digits
  std::optional<std::string> old_id;      // 9 digits
  std::string full_name;                  // NFC
  std::string date_of_birth;              // YYYY-MM-DD
  std::optional<std::string> sex;         // "Nam" | "Nữ"
  std::optional<std::string> address;     // NFC
  std::optional<std::string> issue_date;  // YYYY-MM-DD
};

struct Rejected {
  std::string reason;
};

inline constexpr std::size_t kMaxPayloadBytes = 2048;

std::variant<Card, Rejected> parse(std::string_view payload);

// ddMMyyyy -> YYYY-MM-DD when it is a real calendar date in 1900..2100.
std::optional<std::string> iso_date_from_ddmmyyyy(std::string_view s);

}  // namespace intake::citizen_id
