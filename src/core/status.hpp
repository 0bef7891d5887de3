// Status and Result<T>: the one error style used inside Arca (core, app, ports,
// adapters). HTTP status codes appear only in http/, which maps ErrorKind.
#pragma once

#include <cassert>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace arca {

enum class ErrorKind {
  kOk,
  kInvalidArgument,  // the caller sent something wrong; do not retry as is
  kUnauthenticated,  // missing or bad credentials
  kNotFound,         // absent, or not visible to the caller
  kConflict,         // state does not allow it (name taken, already deleting)
  kTooLarge,         // over a configured limit
  kUnavailable,      // a dependency did not answer; a retry may succeed
  kAborted,          // the client went away or the operation was cancelled
  kInternal,         // a bug or an unexpected failure
};

class Status {
 public:
  Status() = default;
  // `code` is a stable snake_case identifier users can match on.
  Status(ErrorKind kind, std::string code, std::string message)
      : kind_(kind), code_(std::move(code)), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  // Whether trying the same call again later can succeed.
  bool retryable() const { return kind_ == ErrorKind::kUnavailable; }

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string code_;
  std::string message_;
};

inline Status InvalidArgument(std::string code, std::string msg) {
  return {ErrorKind::kInvalidArgument, std::move(code), std::move(msg)};
}
inline Status NotFound(std::string code, std::string msg) {
  return {ErrorKind::kNotFound, std::move(code), std::move(msg)};
}
inline Status Conflict(std::string code, std::string msg) {
  return {ErrorKind::kConflict, std::move(code), std::move(msg)};
}
inline Status Unauthenticated(std::string code, std::string msg) {
  return {ErrorKind::kUnauthenticated, std::move(code), std::move(msg)};
}
inline Status TooLarge(std::string code, std::string msg) {
  return {ErrorKind::kTooLarge, std::move(code), std::move(msg)};
}
inline Status Unavailable(std::string code, std::string msg) {
  return {ErrorKind::kUnavailable, std::move(code), std::move(msg)};
}
inline Status Aborted(std::string code, std::string msg) {
  return {ErrorKind::kAborted, std::move(code), std::move(msg)};
}
inline Status Internal(std::string code, std::string msg) {
  return {ErrorKind::kInternal, std::move(code), std::move(msg)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

// Where an operation that completes later delivers its Result (the async
// reads of the hot path). Called exactly once; which thread calls it is said
// by the function that takes it.
template <typename T>
using ResultCallback = std::function<void(Result<T>)>;

}  // namespace arca

// Early-return helpers; they keep use cases readable without exceptions.
#define ARCA_RETURN_IF_ERROR(expr)        \
  do {                                    \
    ::arca::Status _st = (expr);          \
    if (!_st.ok()) return _st;            \
  } while (0)

#define ARCA_CONCAT_INNER(a, b) a##b
#define ARCA_CONCAT(a, b) ARCA_CONCAT_INNER(a, b)
#define ARCA_ASSIGN_OR_RETURN(lhs, expr) \
  ARCA_ASSIGN_OR_RETURN_IMPL(ARCA_CONCAT(_res_, __LINE__), lhs, expr)
#define ARCA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
