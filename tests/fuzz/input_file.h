// Fuzz helper for parsers that take a path: the input as a file. One in-memory file (memfd) per
// process, rewritten for each input and read back through /proc/self/fd/N, so a run touches no
// disk. Not thread-safe (libFuzzer calls a target from one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace intake::fuzz {

inline std::string as_file(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("fuzz-input", 0);
  if (fd < 0 || ::ftruncate(fd, 0) != 0) __builtin_trap();
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) __builtin_trap();
    done += static_cast<size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace intake::fuzz
