#include "stages/provinces.h"

#include <string_view>

#include <yaml-cpp/yaml.h>

#include "pipeline/error.h"
#include "pipeline/text.h"

namespace intake {
namespace {

// Upper case, one tone placement ("HOÀ" -> "HÒA", the older style the list uses), no hyphens,
// single spaces, no trailing full stop.
std::string canonical(std::string_view name) {
  std::string s = text::upper(text::nfc(name));
  static const std::pair<std::string_view, std::string_view> kTone[] = {
      {"OÀ", "ÒA"}, {"OÁ", "ÓA"}, {"OẢ", "ỎA"}, {"OÃ", "ÕA"}, {"OẠ", "ỌA"}, {"OÈ", "ÒE"}, {"OÉ", "ÓE"}, {"OẺ", "ỎE"},
      {"OẼ", "ÕE"}, {"OẸ", "ỌE"}, {"UỲ", "ÙY"}, {"UÝ", "ÚY"}, {"UỶ", "ỦY"}, {"UỸ", "ŨY"}, {"UỴ", "ỤY"}};
  for (const auto& [from, to] : kTone)
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') continue;
    if (s.compare(i, 3, "\u2013") == 0) {  // en dash
      i += 2;
      continue;
    }
    out += s[i];
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
  return text::squeeze(out);
}

}  // namespace

Provinces::Provinces(const std::vector<std::string>& names, std::set<int> id_codes) : id_codes_(std::move(id_codes)) {
  for (const auto& n : names) names_.insert(canonical(n));
}

Provinces Provinces::load(const std::filesystem::path& file) {
  std::vector<std::string> names;
  std::set<int> codes;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    for (const char* key : {"cities", "provinces"})
      if (root[key]) {
        const auto list = root[key].as<std::vector<std::string>>();
        names.insert(names.end(), list.begin(), list.end());
      }
    if (root["id_codes"])
      for (int c : root["id_codes"].as<std::vector<int>>()) codes.insert(c);
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot open the province list");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": invalid province list: " + e.what());
  }
  if (names.empty()) throw ConfigError(file.string() + ": lists no provinces");
  return Provinces(names, std::move(codes));
}

bool Provinces::ends_address(const std::string& address) const {
  const auto comma = address.rfind(',');
  std::string last = canonical(comma == std::string::npos ? address : address.substr(comma + 1));
  if (names_.count(last)) return true;
  for (std::string_view prefix : {"TỈNH ", "THÀNH PHỐ ", "TP. ", "TP.", "TP ", "T.P. ", "T.P "})
    if (last.rfind(prefix, 0) == 0 && names_.count(last.substr(prefix.size()))) return true;
  return false;
}

Surnames::Surnames(const std::vector<std::string>& names) {
  for (const auto& n : names) names_.insert(text::upper(text::nfc(text::squeeze(n))));
}

Surnames Surnames::load(const std::filesystem::path& file) {
  std::vector<std::string> names;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    if (root["surnames"]) names = root["surnames"].as<std::vector<std::string>>();
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot open the family name list");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": invalid family name list: " + e.what());
  }
  if (names.empty()) throw ConfigError(file.string() + ": lists no family names");
  return Surnames(names);
}

bool Surnames::known(const std::string& full_name) const {
  const std::string name = text::squeeze(full_name);
  return names_.count(text::upper(text::nfc(name.substr(0, name.find(' '))))) > 0;
}

}  // namespace intake
