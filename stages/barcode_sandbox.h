// BarcodeSandbox: runs ZXing-C++ in a child process, because Debian's zxing-cpp 1.4.0 can abort
// the process on some images (a failed assertion in ReadBarcodes; see
// ../shared/corpora/zxing-cpp-1.4.0/README.md). OpenCV 4.6's bar code locator runs there too: it
// dies of SIGFPE on some small images. A crash or a hang of the child costs one call, reported
// as a Crash value; the next call starts a fresh child.
//
// Protocol over the child's stdin/stdout (both sides in this file pair and sandbox_main):
//   request:  u32 magic 'ZXRQ', u32 width, u32 height, u32 options (DecodeOptions bits), then
//             width*height bytes of 8-bit grey, row-major
//   response: u32 length (<= 1 MiB), then that many bytes of JSON:
//             [{"format","text","position":[x0,y0,..,x3,y3]}, ...]
//             (with the `locate` option: linear symbols located, not read: format "Unread", no text)
// One sandbox per worker thread; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <variant>
#include <vector>

#include <opencv2/core.hpp>

#include "pipeline/page.h"

namespace intake {

struct DecodeOptions {
  bool try_harder = false;
  bool try_rotate = false;
  // ReadBarcodes (several symbols at once) instead of ReadBarcode. Without it, the sandbox still
  // finds several symbols: it reads one, blanks it out and reads again (at most 8).
  bool multi = true;
  int binarizer = 0;          // ZXing::Binarizer: 0 LocalAverage, 1 GlobalHistogram, 2 FixedThreshold, 3 BoolCast
  int formats = 0;            // 0 all, 1 linear only, 2 matrix only (2D)
  bool locate = false;        // instead of decoding: where linear symbols are (OpenCV's BarcodeDetector)
  uint32_t bits() const {
    return (try_harder ? 1u : 0u) | (try_rotate ? 2u : 0u) | (multi ? 4u : 0u) |
           (static_cast<uint32_t>(binarizer & 3) << 4) | (static_cast<uint32_t>(formats & 3) << 6) |
           (locate ? 256u : 0u);
  }
  static DecodeOptions from_bits(uint32_t b) {
    return {(b & 1u) != 0, (b & 2u) != 0, (b & 4u) != 0, static_cast<int>((b >> 4) & 3u),
            static_cast<int>((b >> 6) & 3u), (b & 256u) != 0};
  }
};

struct SandboxCrash {
  std::string reason;  // "killed by signal 6 (Aborted): <last stderr line>" or "timed out after N ms"
};

inline constexpr uint32_t kSandboxMagic = 0x5A585251;  // 'ZXRQ'
inline constexpr uint32_t kMaxResponseBytes = 1u << 20;
inline constexpr uint32_t kMaxRequestSide = 30000;               // pixels, width and height each
inline constexpr uint64_t kMaxRequestPixels = 400'000'000ull;    // width * height

// A request's header as the sandbox reads it: the image that follows and how to decode it.
struct RequestHeader {
  uint32_t width = 0, height = 0;
  DecodeOptions options;
};
// Why the sandbox refuses a request; the value is the status it exits with.
enum class BadRequest { magic = 2, size = 3 };

// The four header words (host byte order) of a request. Pure; defined here because the sandbox
// executable links none of this file pair's code.
inline std::variant<RequestHeader, BadRequest> parse_request_header(const uint32_t (&words)[4]) {
  if (words[0] != kSandboxMagic) return BadRequest::magic;
  const uint32_t w = words[1], h = words[2];
  if (w == 0 || h == 0 || w > kMaxRequestSide || h > kMaxRequestSide || uint64_t(w) * h > kMaxRequestPixels)
    return BadRequest::size;
  return RequestHeader{w, h, DecodeOptions::from_bits(words[3])};
}

struct MalformedReply {
  std::string reason;  // "malformed JSON: ...": the sandbox is then restarted
};

// A response's JSON body (the bytes after its length) as the symbols it lists, or why it breaks
// the protocol (not JSON, a field missing or of the wrong type, a coordinate that is not an
// integer within int range). Pure: any bytes give one of the two.
std::variant<std::vector<Barcode>, MalformedReply> parse_reply(std::string_view body);

class BarcodeSandbox {
 public:
  BarcodeSandbox(std::string executable, int timeout_ms);
  ~BarcodeSandbox();
  BarcodeSandbox(const BarcodeSandbox&) = delete;
  BarcodeSandbox& operator=(const BarcodeSandbox&) = delete;

  std::variant<std::vector<Barcode>, SandboxCrash> decode(const cv::Mat& grey, DecodeOptions options);

 private:
  void start();
  SandboxCrash reap(std::string why);

  std::string executable_;
  int timeout_ms_;
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1, child_err_ = -1;
};

// Where the sandbox executable is: `configured` if set, else $INTAKE_ZXING_SANDBOX, else
// intake-zxing-sandbox next to the running program.
std::string locate_sandbox(const std::string& configured);

}  // namespace intake
