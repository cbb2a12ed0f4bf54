// UPU S10 postal item identifiers (e.g. EE123456785VN): the mod-11 check digit over the
// eight serial digits with weights 8 6 4 2 3 5 9 7.
#pragma once

#include <string>
#include <string_view>

namespace samplegen {

// Check digit for eight serial digits; throws std::invalid_argument on anything else.
int s10CheckDigit(std::string_view serial8);

// True when id has the form AA + 9 digits + AA and its ninth digit is the right check digit.
bool s10Valid(std::string_view id);

// "EE123456785VN" -> "EE 123 456 785 VN", the way labels print it.
std::string s10Spaced(std::string_view id);

} // namespace samplegen
