#include "core/ids.hpp"

#include <cstdint>
#include <cstring>

#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca {

std::string NewId() {
  std::string b = RandomBytes(16);
  unsigned long long ms = static_cast<unsigned long long>(NowMicros() / 1000);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xFF);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x70);  // version 7
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string NewRequestId() {
  // Every request without an X-Request-Id gets one, and RAND_bytes per
  // request cost ~2 µs (6 % of a /healthz). A correlation id only has to be
  // unique, not unpredictable: each thread draws a random start once and
  // steps a counter, and SplitMix64's finaliser (a bijection, so distinct
  // counters stay distinct) scrambles it so neighbouring ids do not look alike.
  thread_local std::uint64_t state = [] {
    std::uint64_t seed;
    std::string b = RandomBytes(sizeof seed);
    std::memcpy(&seed, b.data(), sizeof seed);
    return seed;
  }();
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) out[static_cast<size_t>(i)] = kHex[z & 0xF];
  return out;
}

bool IsValidId(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace arca
