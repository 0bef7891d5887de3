// CRC-32C as S3 checks it: a wrong value would make every streamed upload
// fail at the store.
#include <gtest/gtest.h>

#include <string>

#include "core/crc32c.hpp"
#include "core/encoding.hpp"

namespace arca {
namespace {

std::uint32_t Crc(const std::string& s) {
  Crc32c c;
  c.Update(s);
  return c.value();
}

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  EXPECT_EQ(Crc(""), 0x00000000u);
  EXPECT_EQ(Crc("123456789"), 0xE3069283u);  // the CRC catalogue's check value
  // RFC 3720, appendix B.4 (iSCSI).
  EXPECT_EQ(Crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, TheTablePathAgreesWithTheCheckValues) {
  EXPECT_EQ(Crc32c::PortableValue("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c::PortableValue(std::string(32, '\xff')), 0x62A8AB43u);
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 31 + 7));
  EXPECT_EQ(Crc32c::PortableValue(data), Crc(data));
}

TEST(Crc32cTest, PiecesGiveTheSameValueAsTheWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 31 + 7));
  Crc32c pieces;
  for (size_t at = 0, n = 1; at < data.size(); at += n, n = n * 2 + 1) pieces.Update(data.substr(at, n));
  EXPECT_EQ(pieces.value(), Crc(data));
}

// Inputs over 12 KiB run as three interleaved streams joined by a shift;
// the table path knows nothing of that, so agreeing with it checks the join.
TEST(Crc32cTest, LongInputsAgreeWithTheTablePath) {
  std::string data;
  std::uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    data.push_back(static_cast<char>(x >> 24));
  }
  for (size_t len : {12287u, 12288u, 12289u, 24576u, 100000u, 200000u}) {
    const std::string part = data.substr(0, len);
    EXPECT_EQ(Crc(part), Crc32c::PortableValue(part)) << len;
  }
  // Long pieces that start at odd offsets and mid-stride.
  Crc32c pieces;
  for (size_t at = 0, n = 5; at < data.size(); at += n, n = n * 3 + 1) pieces.Update(data.substr(at, n));
  EXPECT_EQ(pieces.value(), Crc32c::PortableValue(data));
  EXPECT_EQ(Crc(std::string(64 * 1024, '\0')), Crc32c::PortableValue(std::string(64 * 1024, '\0')));
}

TEST(Crc32cTest, EncodesAsS3Does) {
  // S3 shows the 4 bytes big-endian, base64: "hello world" -> yZRlqg==.
  Crc32c c;
  c.Update("hello world");
  EXPECT_EQ(Base64Encode(c.BigEndian()), "yZRlqg==");
}

}  // namespace
}  // namespace arca
