// CRC-32C (Castagnoli), the checksum S3 stores and checks as
// x-amz-checksum-crc32c. Streamed uploads carry it as their trailer: the
// store verifies the bytes it received at a few GB/s (SSE4.2 on both
// sides), where a SHA-256 trailer made it hash every byte a second time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arca {

class Crc32c {
 public:
  void Update(std::string_view bytes);
  std::uint32_t value() const { return ~state_; }
  // The 4 bytes, most significant first, as S3 encodes them (before base64).
  std::string BigEndian() const;
  // The table path, which runs where the CPU has no SSE4.2; for tests.
  static std::uint32_t PortableValue(std::string_view bytes);

 private:
  std::uint32_t state_ = 0xFFFFFFFFu;
};

}  // namespace arca
