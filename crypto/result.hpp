// Errors as values, shared by every signet library (crypto/ is the base of the dependency chain).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace signet {

// Why something failed decides what a policy does with it: Invalid is bad evidence or bad input (the
// rule fails), Unavailable is "could not tell" (a registry down, a timeout: the failure action decides).
struct Error {
  enum class Kind { Invalid, Unavailable };
  Kind kind = Kind::Invalid;
  std::string message;

  static Error invalid(std::string message) { return {Kind::Invalid, std::move(message)}; }
  static Error unavailable(std::string message) { return {Kind::Unavailable, std::move(message)}; }

  // Prefixes context, keeping the kind: "fetching signatures: " + "connection refused".
  Error context(std::string_view what) const& { return {kind, std::string(what) + ": " + message}; }
};

// A small std::expected<T, Error> (C++23) for C++20.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> success() { return {}; }

}  // namespace signet
