#include "adapters/auth/argon2_password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

namespace arca::auth {

Argon2PasswordHasher::Argon2PasswordHasher() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Result<std::string> Argon2PasswordHasher::Hash(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Internal("hash_failed", "out of memory while hashing a password");
  return std::string(out);
}

bool Argon2PasswordHasher::Verify(std::string_view stored_hash, std::string_view password) {
  std::string h(stored_hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace arca::auth
