// Passwords hashed with argon2id (libsodium, interactive limits: ~64 MiB, ~0.1 s).
#pragma once

#include "ports/token_service.hpp"

namespace arca::auth {

class Argon2PasswordHasher : public PasswordHasher {
 public:
  Argon2PasswordHasher();  // initialises libsodium; throws if it cannot
  Result<std::string> Hash(std::string_view password) override;
  bool Verify(std::string_view stored_hash, std::string_view password) override;
};

}  // namespace arca::auth
