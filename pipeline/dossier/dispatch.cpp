#include "pipeline/dossier/dispatch.h"

#include <algorithm>
#include <regex>

namespace intake {
namespace {

const std::regex& code_pattern() {
  static const std::regex re(R"([0-9A-Z]+(?:\.[0-9A-Z]+)*-[0-9]{6}-[0-9]{4})");
  return re;
}

// No code is longer; std::regex recurses once per character, so a long run of capitals (from an
// import line, say) would overflow the stack before it failed to match.
constexpr std::size_t kMaxCodeLength = 64;

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

bool is_dossier_code(std::string_view s) {
  return s.size() <= kMaxCodeLength && std::regex_match(s.begin(), s.end(), code_pattern());
}

std::vector<nlohmann::json> plan_dispatches(const std::vector<DossierRecord>& groups, const std::string& batch_id,
                                            const std::string& dispatched_at) {
  std::vector<nlohmann::json> out;
  int group_no = 0;
  for (const auto& g : groups) {
    ++group_no;
    std::vector<int> pages;
    std::vector<std::string> scanned, in_text;
    for (const auto& p : g.pages) {
      pages.push_back(p.number);
      for (const auto& b : p.barcodes)
        if (is_dossier_code(b.text)) add_unique(scanned, b.text);
      const std::string& text = p.text;
      // Word by word, each bounded, for the same reason.
      std::size_t start = 0;
      while (start < text.size()) {
        const auto end = std::min(text.find_first_of(" \t\n\r\f", start), text.size());
        if (end - start <= 2 * kMaxCodeLength)
          for (std::sregex_iterator it(text.begin() + static_cast<std::ptrdiff_t>(start),
                                       text.begin() + static_cast<std::ptrdiff_t>(end), code_pattern()),
               stop;
               it != stop; ++it)
            add_unique(in_text, it->str());
        start = end + 1;
      }
    }
    nlohmann::json base = {{"schema", kDispatchSchema},
                           {"batch_id", batch_id},
                           {"group", group_no},
                           {"pages", pages},
                           {"tracking_number", g.tracking_number ? nlohmann::json(*g.tracking_number) : nullptr},
                           {"tracking_valid", g.tracking_valid},
                           {"dossier_code", nullptr},
                           {"code_source", nullptr},
                           {"dispatched_at", dispatched_at},
                           {"status", "pending"},
                           {"reasons", nlohmann::json::array()}};
    if (!scanned.empty()) {
      for (const auto& code : scanned) {
        auto d = base;
        d["dossier_code"] = code;
        d["code_source"] = "barcode";
        out.push_back(std::move(d));
      }
      continue;
    }
    auto d = base;
    if (!in_text.empty()) {
      // OCR can misread a digit into another dossier's code: a candidate for the operator only.
      d["dossier_code"] = in_text.front();
      d["code_source"] = "text";
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace intake
