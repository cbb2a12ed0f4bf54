// SHA-256 of bytes and files (OpenSSL), hex encoded. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace intake {

std::string sha256_hex(std::string_view bytes);
// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace intake
