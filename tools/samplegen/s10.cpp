#include "s10.h"

#include <stdexcept>

namespace samplegen {

namespace {
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
} // namespace

int s10CheckDigit(std::string_view serial8)
{
    static constexpr int kWeights[8] = {8, 6, 4, 2, 3, 5, 9, 7};
    if (serial8.size() != 8)
        throw std::invalid_argument("S10 serial must have 8 digits");
    int sum = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        if (!isDigit(serial8[i]))
            throw std::invalid_argument("S10 serial must have 8 digits");
        sum += (serial8[i] - '0') * kWeights[i];
    }
    const int c = 11 - sum % 11;
    return c == 10 ? 0 : c == 11 ? 5 : c;
}

bool s10Valid(std::string_view id)
{
    if (id.size() != 13 || !isUpper(id[0]) || !isUpper(id[1]) || !isUpper(id[11]) || !isUpper(id[12]))
        return false;
    for (std::size_t i = 2; i < 11; ++i)
        if (!isDigit(id[i]))
            return false;
    return s10CheckDigit(id.substr(2, 8)) == id[10] - '0';
}

std::string s10Spaced(std::string_view id)
{
    if (id.size() != 13)
        throw std::invalid_argument("S10 identifier must have 13 characters");
    std::string out;
    out.append(id.substr(0, 2)).append(" ");
    out.append(id.substr(2, 3)).append(" ");
    out.append(id.substr(5, 3)).append(" ");
    out.append(id.substr(8, 3)).append(" ");
    out.append(id.substr(11, 2));
    return out;
}

} // namespace samplegen
