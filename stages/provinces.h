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
  explicit Provinces(const std::vector<std::string>& names);

  // The address's last comma-separated part is a known unit, bare ("Hà Nội") or after "tỉnh",
  // "thành phố", "TP." (case, old/new tone placement "Hòa"/"Hoà" and hyphens ignored).
  bool ends_address(const std::string& address) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::set<std::string> names_;  // canonical form, see provinces.cpp
};

}  // namespace intake
