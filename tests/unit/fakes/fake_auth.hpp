// Fast stand-ins for the password hasher and the token service, so use-case
// tests do not spend argon2's 0.1 s per call. Neither is secure; both keep
// the port's observable behaviour.
#pragma once

#include <atomic>

#include "ports/token_service.hpp"

namespace arca::fakes {

class FakePasswordHasher : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password) override {
    ++hash_calls;
    return "fake-hash$" + std::string(password);
  }
  bool Verify(std::string_view stored_hash, std::string_view password) override {
    ++verify_calls;
    return stored_hash == "fake-hash$" + std::string(password);
  }
  std::atomic<int> hash_calls{0};
  std::atomic<int> verify_calls{0};
};

// Tokens are "fake-token:<user id>"; anything else is refused.
class FakeTokenService : public TokenService {
 public:
  static constexpr std::string_view kPrefix = "fake-token:";
  Result<IssuedToken> Issue(const User& user, std::chrono::seconds ttl, const std::string&) override {
    return IssuedToken{std::string(kPrefix) + user.id, ttl};
  }
  Result<Caller> Verify(std::string_view token) override {
    if (!token.starts_with(kPrefix) || token.size() == kPrefix.size())
      return Unauthenticated("invalid_token", "not a fake token");
    return Caller{std::string(token.substr(kPrefix.size())), "", false};
  }
};

}  // namespace arca::fakes
