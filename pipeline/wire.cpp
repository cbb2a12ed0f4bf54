#include "pipeline/wire.h"

#include <algorithm>
#include <cstring>

namespace intake::wire {
namespace {

// How deep arrays and objects nest in `text`, read without building anything (strings skipped).
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::vector<zmq::message_t> encode(const Envelope& e) {
  const PageItem& p = e.page;
  nlohmann::json header = to_json(p);
  header["stage"] = e.stage;
  const cv::Mat work = p.work.empty() || p.work.isContinuous() ? p.work : p.work.clone();
  header["work"] = {{"w", work.cols}, {"h", work.rows}};
  std::vector<zmq::message_t> frames;
  frames.emplace_back(kMagic.data(), kMagic.size());
  frames.emplace_back(header.dump());
  frames.emplace_back(p.original.data(), p.original.size());
  frames.emplace_back(work.data, work.total());
  return frames;
}

Result<Envelope> decode(std::vector<zmq::message_t>& frames) {
  if (frames.size() != kFrameCount)
    return DecodeError{"expected " + std::to_string(kFrameCount) + " frames, got " + std::to_string(frames.size())};
  if (frames[0].to_string_view() != kMagic)
    return DecodeError{"bad magic/version frame (not " + std::string(kMagic) + ")"};
  if (frames[1].size() > kMaxHeaderBytes) return DecodeError{"header frame exceeds 4 MiB"};
  if (frames[2].size() > kMaxOriginalBytes) return DecodeError{"original image frame exceeds limit"};
  if (const auto depth = nesting_depth(frames[1].to_string_view()); depth > kMaxHeaderDepth)
    return DecodeError{"header nested deeper than " + std::to_string(kMaxHeaderDepth) + " levels (" +
                       std::to_string(depth) + ")"};
  Envelope e;
  try {
    auto header = nlohmann::json::parse(frames[1].to_string_view());
    e.stage = header.at("stage").get<std::string>();
    e.page = page_from_json(header);
    // Read as 64-bit integers (-1: not one): json's get<int>() of 1e300 is undefined behaviour.
    auto side = [&](const char* k) -> int64_t {
      const auto& v = header.at("work").at(k);
      if (v.is_number_unsigned()) return v.get<uint64_t>() > uint64_t(kMaxSide) ? -1 : int64_t(v.get<uint64_t>());
      return v.is_number_integer() ? v.get<int64_t>() : -1;
    };
    const int64_t w = side("w"), h = side("h");
    if (w < 0 || h < 0 || w > kMaxSide || h > kMaxSide || std::size_t(w) * std::size_t(h) > kMaxWorkPixels)
      return DecodeError{"working image size out of range: " + std::to_string(w) + "x" + std::to_string(h)};
    if (frames[3].size() != std::size_t(w) * std::size_t(h))
      return DecodeError{"working image frame has " + std::to_string(frames[3].size()) + " bytes, header says " +
                         std::to_string(w) + "x" + std::to_string(h)};
    if (w > 0 && h > 0) {
      e.page.work.create(h, w, CV_8UC1);
      std::memcpy(e.page.work.data, frames[3].data(), frames[3].size());
    }
  } catch (const nlohmann::json::exception& ex) {
    return DecodeError{std::string("malformed header: ") + ex.what()};
  }
  e.page.original.assign(static_cast<const char*>(frames[2].data()), frames[2].size());
  return e;
}

}  // namespace intake::wire
