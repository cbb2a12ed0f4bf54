// The error vocabulary shared by every layer.
//
// Expected bad input (a corrupt page, a bad payload, a config typo, a refused change) is a
// value or one of these exception types with a reason a person can act on; anything else that
// escapes is a programmer error, caught only at task boundaries (a worker thread, a batch, a
// command) and reported there.
#pragma once

#include <stdexcept>
#include <string>

namespace intake {

// A config or data file that cannot be used: the message names the file and the key.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace intake
