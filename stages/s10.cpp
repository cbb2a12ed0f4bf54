#include "stages/s10.h"

#include <cctype>
#include <regex>
#include <vector>

namespace intake::s10 {

int check_digit(std::string_view serial) {
  static constexpr int kWeights[8] = {8, 6, 4, 2, 3, 5, 9, 7};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (serial[i] - '0') * kWeights[i];
  const int c = 11 - sum % 11;
  return c == 10 ? 0 : c == 11 ? 5 : c;
}

std::optional<std::string> normalize(std::string_view raw) {
  std::string s;
  for (char c : raw) {
    if (c == ' ' || c == '-') continue;
    if (s.size() >= 13) return std::nullopt;
    s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (s.size() != 13) return std::nullopt;
  for (int i : {0, 1, 11, 12})
    if (s[i] < 'A' || s[i] > 'Z') return std::nullopt;
  for (int i = 2; i < 11; ++i)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  return s;
}

bool valid(std::string_view id) {
  auto n = normalize(id);
  return n && n->size() == 13 && check_digit(std::string_view(*n).substr(2, 8)) == (*n)[10] - '0';
}

std::vector<std::string> find_in_text(std::string_view text) {
  static const std::regex pattern(R"(\b([A-Z]{2}) ?(\d{3}) ?(\d{3}) ?(\d{3}) ?([A-Z]{2})\b)");
  std::vector<std::string> out;
  const std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), pattern); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out.push_back(m[1].str() + m[2].str() + m[3].str() + m[4].str() + m[5].str());
  }
  return out;
}

}  // namespace intake::s10
