// TokenService: issues and checks bearer tokens. Adapter: auth/jwt_hs256.
#pragma once

#include <chrono>
#include <string>

#include "core/caller.hpp"
#include "core/file_record.hpp"
#include "core/status.hpp"

namespace arca {

struct IssuedToken {
  std::string token;
  std::chrono::seconds expires_in{0};
};

class TokenService {
 public:
  virtual ~TokenService() = default;
  virtual Result<IssuedToken> Issue(const User& user, std::chrono::seconds ttl, const std::string& label) = 0;
  // kUnauthenticated for anything but a valid, unexpired token of ours.
  // The returned Caller carries the user id from `sub`; callers re-read the user.
  virtual Result<Caller> Verify(std::string_view token) = 0;
};

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual Result<std::string> Hash(std::string_view password) = 0;
  virtual bool Verify(std::string_view stored_hash, std::string_view password) = 0;
};

}  // namespace arca
