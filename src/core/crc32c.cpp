#include "core/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace arca {
namespace {

constexpr std::uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

constexpr std::array<std::uint32_t, 256> MakeTable() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = MakeTable();

std::uint32_t Portable(std::uint32_t crc, const unsigned char* p, size_t n) {
  while (n--) crc = kTable[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// The CPU's own CRC32 instruction computes exactly this polynomial.
__attribute__((target("sse4.2"))) std::uint32_t Hardware(std::uint32_t crc, const unsigned char* p, size_t n) {
  std::uint64_t c = crc;
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n; --n) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

// One crc32 instruction waits ~3 cycles for the one before it, so a single
// stream uses a third of what the CPU can do. Long inputs run as three
// streams over consecutive kStride-byte blocks, joined by shifting a
// block's CRC past the next block's length: that shift is linear in the
// 32-bit register, so it is four table look-ups.
constexpr size_t kStride = 4096;

struct StrideShift {
  std::uint32_t table[4][256];
  std::uint32_t operator()(std::uint32_t crc) const {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
  }
};

__attribute__((target("sse4.2"))) StrideShift MakeStrideShift() {
  // Where each bit of the register ends up after kStride zero bytes...
  std::uint32_t basis[32];
  for (int bit = 0; bit < 32; ++bit) {
    std::uint64_t c = std::uint32_t{1} << bit;
    for (size_t i = 0; i < kStride; i += 8) c = _mm_crc32_u64(c, 0);
    basis[bit] = static_cast<std::uint32_t>(c);
  }
  // ...and so where each value of each register byte does.
  StrideShift s{};
  for (int byte = 0; byte < 4; ++byte)
    for (std::uint32_t v = 0; v < 256; ++v)
      for (int bit = 0; bit < 8; ++bit)
        if (v & (1u << bit)) s.table[byte][v] ^= basis[byte * 8 + bit];
  return s;
}

__attribute__((target("sse4.2"))) std::uint32_t HardwareThreeWay(std::uint32_t crc, const unsigned char* p,
                                                                   size_t n) {
  static const StrideShift shift = MakeStrideShift();
  for (; n >= 3 * kStride; n -= 3 * kStride, p += 3 * kStride) {
    std::uint64_t a = crc, b = 0, c = 0;
    for (size_t i = 0; i < kStride; i += 8) {
      std::uint64_t wa, wb, wc;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + kStride + i, 8);
      std::memcpy(&wc, p + 2 * kStride + i, 8);
      a = _mm_crc32_u64(a, wa);
      b = _mm_crc32_u64(b, wb);
      c = _mm_crc32_u64(c, wc);
    }
    // b started from 0, not from a: add a's contribution after kStride more bytes; likewise c.
    crc = shift(shift(static_cast<std::uint32_t>(a)) ^ static_cast<std::uint32_t>(b)) ^ static_cast<std::uint32_t>(c);
  }
  return Hardware(crc, p, n);
}
const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

void Crc32c::Update(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
#if defined(__x86_64__)
  if (kHasSse42) {
    state_ = HardwareThreeWay(state_, p, bytes.size());
    return;
  }
#endif
  state_ = Portable(state_, p, bytes.size());
}

std::uint32_t Crc32c::PortableValue(std::string_view bytes) {
  return ~Portable(0xFFFFFFFFu, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Crc32c::BigEndian() const {
  const std::uint32_t v = value();
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace arca
