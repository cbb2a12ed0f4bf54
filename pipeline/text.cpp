#include "pipeline/text.h"

#include <set>

#include <cctype>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace intake::text {
namespace {

const icu::Normalizer2& normalizer(bool compose) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = compose ? icu::Normalizer2::getNFCInstance(status)
                                      : icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status) || !n) throw std::runtime_error("ICU normalizer unavailable");
  return *n;
}

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

}  // namespace

std::string nfc(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  auto out = normalizer(true).normalize(s, status);
  return U_SUCCESS(status) ? to_utf8(out) : to_utf8(s);
}

std::string fold(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  auto decomposed = normalizer(false).normalize(s, status);
  if (U_FAILURE(status)) decomposed = s;
  icu::UnicodeString out;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_getCombiningClass(c) != 0 || u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c == 0x0111 || c == 0x0110) c = 'd';  // đ Đ
    out.append(u_tolower(c));
  }
  return to_utf8(out);
}

std::string match_key(std::string_view utf8) {
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  auto composed = normalizer(true).normalize(s, status);
  if (U_FAILURE(status)) composed = s;
  icu::UnicodeString out;
  for (int32_t i = 0; i < composed.length();) {
    const UChar32 c = composed.char32At(i);
    i += U16_LENGTH(c);
    if (u_isalnum(c)) out.append(u_tolower(c));
  }
  return to_utf8(out);
}

bool vietnamese_syllable(std::string_view word) {
  // Vowel groups with the tone marks taken off (and their vowel marks kept), per the spelling in
  // use: the nuclei, with the glides that write them.
  static const std::set<std::u32string> kGroups = {
      U"a",   U"ă",   U"â",   U"e",   U"ê",   U"i",   U"o",   U"ô",   U"ơ",   U"u",   U"ư",   U"y",
      U"ai",  U"ao",  U"au",  U"ay",  U"âu",  U"ây",  U"eo",  U"êu",  U"ia",  U"iê",  U"iu",  U"oa",
      U"oă",  U"oe",  U"oi",  U"ôi",  U"ơi",  U"oo",  U"ua",  U"uâ",  U"uê",  U"ui",  U"uô",  U"uơ",
      U"uy",  U"ưa",  U"ưi",  U"ưu",  U"ươ",  U"yê",  U"iêu", U"yêu", U"oai", U"oay", U"oao", U"oeo",
      U"uây", U"uôi", U"ươi", U"ươu", U"uya", U"uyê", U"uyu", U"uêu", U"ôô"};
  static const std::u32string kVowels = U"aăâeêioôơuưy";
  UErrorCode status = U_ZERO_ERROR;
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
  s.toLower(icu::Locale("vi"));
  auto decomposed = normalizer(false).normalize(s, status);
  if (U_FAILURE(status) || decomposed.isEmpty()) return false;
  // Tone marks off (grave, acute, tilde, hook above, dot below); vowel marks kept.
  icu::UnicodeString bare;
  int tones = 0;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0x0300 || c == 0x0301 || c == 0x0303 || c == 0x0309 || c == 0x0323) {
      ++tones;
      continue;
    }
    bare.append(c);
  }
  if (tones > 1) return false;
  auto composed = normalizer(true).normalize(bare, status);
  if (U_FAILURE(status)) return false;
  std::u32string letters;
  for (int32_t i = 0; i < composed.length();) {
    const UChar32 c = composed.char32At(i);
    i += U16_LENGTH(c);
    // The Vietnamese alphabet (Latin letters, and ă â ê ô ơ ư đ): no ň, ç, ü.
    const bool latin = c >= 'a' && c <= 'z';
    if (!latin && std::u32string_view(U"ăâêôơưđ").find(static_cast<char32_t>(c)) == std::u32string_view::npos)
      return false;
    letters += static_cast<char32_t>(c);
  }
  std::size_t start = letters.find_first_of(kVowels);
  if (start == std::u32string::npos) return false;
  std::size_t end = letters.find_first_not_of(kVowels, start);
  if (end == std::u32string::npos) end = letters.size();
  if (letters.find_first_of(kVowels, end) != std::u32string::npos) return false;  // two vowel groups
  const std::u32string initial = letters.substr(0, start);
  // The u of qu and the i of gi belong to the initial when a vowel follows them.
  if (end - start > 1 && ((initial == U"q" && letters[start] == U'u') || (initial == U"g" && letters[start] == U'i')))
    ++start;
  return kGroups.count(letters.substr(start, end - start)) > 0;
}

bool vietnamese_name(std::string_view name) {
  bool any = false;
  std::size_t at = 0;
  while (at < name.size()) {
    const std::size_t space = name.find_first_of(" \t\n", at);
    const std::string_view w = name.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at);
    if (!w.empty()) {
      if (!vietnamese_syllable(w)) return false;
      any = true;
    }
    if (space == std::string_view::npos) break;
    at = space + 1;
  }
  return any;
}

std::string title_case(std::string_view utf8) {
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  s.toLower(icu::Locale("vi"));
  s.toTitle(nullptr, icu::Locale("vi"));
  return nfc(to_utf8(s));
}

std::string upper(std::string_view utf8) {
  auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  s.toUpper(icu::Locale("vi"));
  return nfc(to_utf8(s));
}

bool has_alnum(std::string_view utf8) {
  const auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  for (int32_t i = 0; i < s.length(); i = s.moveIndex32(i, 1))
    if (u_isalnum(s.char32At(i))) return true;
  return false;
}

bool mostly_upper(std::string_view utf8) {
  const auto s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  int letters = 0, upper = 0;
  for (int32_t i = 0; i < s.length(); i = s.moveIndex32(i, 1)) {
    const UChar32 c = s.char32At(i);
    if (!u_isalpha(c)) continue;
    ++letters;
    if (u_isupper(c)) ++upper;
  }
  return letters >= 3 && upper * 5 >= letters * 4;
}

std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      auto na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      if (ei - i != ej - j) return ei - i < ej - j;  // "01" before "1" only to break ties
      i = ei, j = ej;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string printable(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  auto escape = [&](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7F) escape(c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    // The length and the range of the first continuation byte of a well-formed sequence.
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = k == 1 ? (cc >= lo && cc <= hi) : (cc >= 0x80 && cc <= 0xBF);
    }
    if (!ok) {
      escape(c);
      ++i;
      continue;
    }
    // C1 controls U+0080..U+009F are C2 80..C2 9F.
    if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      escape(c);
      escape(static_cast<unsigned char>(s[i + 1]));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace intake::text
