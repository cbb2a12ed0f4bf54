// The wire format of a page between the coordinator and stage workers, version 1.
//
// A message is one ZeroMQ multipart message of exactly four frames:
//   0  magic and version, the 13 bytes "intake.page/1"
//   1  header: UTF-8 JSON of the PageItem without images (pipeline/page.h to_json), plus
//      "work": {"w": W, "h": H} describing frame 3, and "stage": the stage to run or that ran
//   2  original image bytes as read from the scan file (empty once preprocess has run)
//   3  working image: W*H bytes of 8-bit grey, row-major, no padding (empty before preprocess)
// Limits, checked by decode before anything is allocated from the peer's numbers:
//   header <= 4 MiB and nested at most 32 deep (checked before it is parsed), original <= kMaxOriginalBytes, W,H <= 30000 and W*H <= kMaxWorkPixels.
// A worker asks for each page: it sends its stage's work socket (ROUTER) the one-frame message
// kReady when it starts, after each page, and every second while it waits; the coordinator sends
// a page only to a worker that asked, so a stalled worker is never handed more.
// docs/wire-format.md is the prose version of this header.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "pipeline/error.h"
#include "pipeline/page.h"

namespace intake::wire {

inline constexpr std::string_view kMagic = "intake.page/1";
inline constexpr std::string_view kReady = "intake.ready/1";
inline constexpr std::size_t kFrameCount = 4;
inline constexpr std::size_t kMaxHeaderBytes = 4u << 20;
inline constexpr std::size_t kMaxOriginalBytes = 512u << 20;
inline constexpr std::size_t kMaxWorkPixels = 400u * 1000 * 1000;
inline constexpr int kMaxSide = 30000;
inline constexpr std::size_t kMaxHeaderDepth = 32;  // nesting of the header's arrays and objects

struct Envelope {
  std::string stage;  // the stage to run (coordinator -> worker) or that ran (worker -> coordinator)
  PageItem page;
};

std::vector<zmq::message_t> encode(const Envelope& envelope);

// Returns the envelope, or a reason why the frames are not a valid version-1 message.
using DecodeError = Error;  // the message is refused, with why
Result<Envelope> decode(std::vector<zmq::message_t>& frames);

}  // namespace intake::wire
