#pragma once

// labsweep's error model (docs/ARCHITECTURE.md, "Errors"): expected failures return a
// Status or a Result<T>; "nothing yet" is std::optional; a broken invariant aborts.

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace labsweep {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kIoError,
  kFailedPrecondition,
  kOutOfRange,
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status io_error(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
inline Status not_found(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status out_of_range(std::string message) {
  return {StatusCode::kOutOfRange, std::move(message)};
}

// A value or the Status that explains its absence. Reading the value of a failed Result
// (or the status of a good one) is a programming error and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {    // NOLINT(google-explicit-constructor)
    if (std::get<Status>(state_).is_ok()) std::abort();  // an ok Status carries no value
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const { return std::get<Status>(state_); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace labsweep
