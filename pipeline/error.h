// The error vocabulary shared by every layer.
//
// Expected bad input (a corrupt page, a bad payload, a config typo, a refused change) is a
// value or one of these exception types with a reason a person can act on; anything else that
// escapes is a programmer error, caught only at task boundaries (a worker thread, a batch, a
// command) and reported there.
#pragma once

#include <stdexcept>
#include <string>
#include <variant>

namespace intake {

// Expected bad input, as a value: a page that does not decode, a payload that breaks the rules,
// a refused change. `reason` says what is wrong so that a person can act on it.
struct Error {
  std::string reason;
};

// What an operation on outside input gives: its value, or the Error that explains why not.
template <typename T>
using Result = std::variant<T, Error>;

template <typename T>
const Error* error_of(const Result<T>& r) {
  return std::get_if<Error>(&r);
}

// A config or data file that cannot be used: the message names the file and the key.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The exit status of a command that refused its usage or its configuration. A stage process that
// ends with it is not started again: it would refuse again.
inline constexpr int kExitRefused = 1;

}  // namespace intake
