// SHA-256 on a stream and HMAC-SHA256: used for file hashes, signed links and tokens.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace arca {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string FinishHex();  // lowercase hex digest; the object is spent after this
  std::string FinishRaw();  // the 32-byte digest; likewise

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);
// Raw 32-byte MAC.
std::string HmacSha256(std::string_view key, std::string_view message);
// The same into a caller's buffer, for hot paths that only hex-encode it.
void Sha256Raw(std::string_view bytes, unsigned char out[32]);
void HmacSha256(std::string_view key, std::string_view message, unsigned char out[32]);

}  // namespace arca
