// Fuzz target: the barcode sandbox's replies. The sandbox runs zxing-cpp and OpenCV on page
// images, and a decoder gone wrong can send anything: parse_reply must answer with symbols or a
// reason, never throw or crash, and the symbols it returns must be exactly what the reply says.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "stages/barcode_sandbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > intake::kMaxResponseBytes) return 0;  // refused before parsing
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto reply = intake::parse_reply(body);
  if (const auto* bad = std::get_if<intake::MalformedReply>(&reply)) {
    if (bad->reason.empty()) __builtin_trap();
    return 0;
  }
  const auto& barcodes = std::get<std::vector<intake::Barcode>>(reply);
  const auto json = nlohmann::json::parse(body);  // accepted: it is JSON
  if (json.size() != barcodes.size()) __builtin_trap();
  std::size_t i = 0;
  for (const auto& b : json) {
    const auto& got = barcodes[i++];
    if (b.at("format") != got.format || b.at("text") != got.text || b.at("position").size() != got.position.size())
      __builtin_trap();
    for (std::size_t k = 0; k < got.position.size(); ++k)
      if (b.at("position")[k] != nlohmann::json(got.position[k])) __builtin_trap();
  }
  return 0;
}
