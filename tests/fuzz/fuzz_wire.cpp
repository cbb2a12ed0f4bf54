// Fuzz target: the wire decoder sees whatever a peer sends. The input is split into frames at
// each 0xFF 0x00 0xFF marker (up to five frames).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pipeline/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<zmq::message_t> frames;
  while (frames.size() < 5) {
    const auto cut = in.find(std::string_view("\xFF\x00\xFF", 3));
    frames.emplace_back(in.data(), cut == std::string_view::npos ? in.size() : cut);
    if (cut == std::string_view::npos) break;
    in.remove_prefix(cut + 3);
  }
  auto decoded = intake::wire::decode(frames);
  if (auto* e = std::get_if<intake::wire::Envelope>(&decoded)) {
    if (e->page.work.total() != frames[3].size()) __builtin_trap();
  }
  return 0;
}
