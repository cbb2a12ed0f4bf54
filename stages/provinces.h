// Provinces: the province-level units of Viet Nam (models/provinces.yaml), with which every postal
// address ends. The extract stage keeps an envelope's sender address only when it ends with one,
// so an address the OCR cut short (a postmark over its end: "..., xã Lương Hòa, tỉnh Lo") is left
// null and flagged instead of stored truncated. Immutable after load; thread-safe.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace intake {

class Provinces {
 public:
  // Throws ConfigError naming the file and the reason.
  static Provinces load(const std::filesystem::path& file);
  explicit Provinces(const std::vector<std::string>& names, std::set<int> id_codes = {});

  // The address's last comma-separated part is a known unit, bare ("Hà Nội") or after "tỉnh",
  // "thành phố", "TP." (case, old/new tone placement "Hòa"/"Hoà" and hyphens ignored).
  bool ends_address(const std::string& address) const;
  std::size_t size() const { return names_.size(); }
  // `code` (a citizen ID's first three digits) is a province's (the list's `id_codes`); true for
  // any code when the list has none.
  bool id_code(int code) const { return id_codes_.empty() || id_codes_.count(code) > 0; }

 private:
  std::set<std::string> names_;  // canonical form, see provinces.cpp
  std::set<int> id_codes_;
};

// Vietnamese family names (models/surnames.yaml): a full name read by OCR whose first word is none
// of them is doubtful. Immutable after load; thread-safe.
class Surnames {
 public:
  static Surnames load(const std::filesystem::path& file);  // throws ConfigError
  explicit Surnames(const std::vector<std::string>& names);
  // The first word of `full_name` is a listed family name (case ignored, accents not).
  bool known(const std::string& full_name) const;

 private:
  std::set<std::string> names_;  // upper case, NFC
};

}  // namespace intake
