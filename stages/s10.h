// UPU S10 postal item identifiers: 2 service letters, 8 serial digits, a check digit and a
// 2-letter country code, e.g. EE123456785VN. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::s10 {

// Check digit for 8 serial digits (weights 8 6 4 2 3 5 9 7; 11 - sum mod 11; 10 -> 0, 11 -> 5).
int check_digit(std::string_view serial8);
// The identifier with spaces and dashes removed and letters upper-cased, if it has the S10 form
// (13 characters, AA########9AA); nullopt otherwise. Says nothing of the check digit.
std::optional<std::string> normalize(std::string_view raw);
// True when `id` is in S10 form with a correct check digit.
bool valid(std::string_view id);
// Candidates in free text (OCR), normalised, in order of appearance.
std::vector<std::string> find_in_text(std::string_view text);

}  // namespace intake::s10
