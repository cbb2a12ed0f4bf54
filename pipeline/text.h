// Text helpers for Vietnamese: Unicode NFC, accent folding for matching, natural sort order,
// and title case for names printed in capitals. All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace intake::text {

// Unicode NFC of UTF-8 text; invalid UTF-8 sequences become U+FFFD.
std::string nfc(std::string_view utf8);
// Lower case, diacritics removed (đ -> d), for keyword and label matching: "Kết hôn" -> "ket hon".
std::string fold(std::string_view utf8);
// "NGUYỄN VĂN AN" -> "Nguyễn Văn An" (Vietnamese rules).
std::string title_case(std::string_view utf8);
// "UBND xã Tân Phú" -> "UBND XÃ TÂN PHÚ" (Vietnamese rules).
std::string upper(std::string_view utf8);
// At least 3 letters and 80% of them capitals: a heading ("ỦY BAN NHÂN DÂN", "SỞ Y TẾ").
bool mostly_upper(std::string_view utf8);
// Has a letter or a digit (any script).
bool has_alnum(std::string_view utf8);
// A Vietnamese syllable as it can be written: at most one tone mark, and its vowels one of the
// language's vowel groups ("uy", "ươ", "uyê", ...; after "qu" and "gi" the initial's u and i do
// not count). "Huỳnh" is one; "Hưỳnh", an OCR misreading of it, is not. Case is ignored.
bool vietnamese_syllable(std::string_view word);
// Every white-space separated word of `name` is a Vietnamese syllable (an empty name is not).
bool vietnamese_name(std::string_view name);
// Lower case, letters and digits only, diacritics kept: what two readings of the same print share
// whatever spacing and punctuation OCR gave them ("079 095-00" -> "07909500", "Bình," -> "bình").
std::string match_key(std::string_view utf8);
// Collapse runs of white space to one space and trim.
std::string squeeze(std::string_view s);
// Safe to show on a terminal and in a record: valid UTF-8 is kept, but control characters (C0
// but tab, DEL, C1: escape sequences that recolour a terminal or set its title) and bytes that
// are not UTF-8 (a Latin-1 file name) become "\xNN". Never throws.
std::string printable(std::string_view bytes);
// Natural order: "scan_2" < "scan_10"; digit runs compare by value, the rest bytewise.
bool natural_less(std::string_view a, std::string_view b);

}  // namespace intake::text
