// Bearer tokens as JWTs signed with HMAC-SHA256. The algorithm is pinned:
// a token is checked only as HS256 with our secret, whatever its header
// claims, so "alg":"none" and algorithm-confusion forgeries are refused.
// (Written on OpenSSL rather than libjwt, whose decode trusts the header's alg.)
#pragma once

#include <cstdint>
#include <functional>

#include "ports/token_service.hpp"

namespace arca::auth {

class JwtHs256 : public TokenService {
 public:
  // `secret` must hold at least 32 random bytes. `now` returns Unix seconds.
  JwtHs256(std::string secret, std::string issuer = "arca", std::string audience = "arca",
           std::function<std::int64_t()> now = {});

  Result<IssuedToken> Issue(const User& user, std::chrono::seconds ttl, const std::string& label) override;
  Result<Caller> Verify(std::string_view token) override;

 private:
  Result<Caller> VerifyFully(std::string_view token, std::int64_t& exp);

  std::string secret_, issuer_, audience_;
  std::function<std::int64_t()> now_;
  // Tells this verifier's remembered tokens from another's (tests make
  // several, with different secrets, possibly at the same address).
  const std::uint64_t instance_;
};

}  // namespace arca::auth
