// Byte encodings: hex digests, base64url cursors and signatures, percent-encoded
// names in headers and links, and the UTF-8 check behind every name rule.
#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace arca {
namespace {

std::string Bytes(std::initializer_list<unsigned char> b) { return std::string(b.begin(), b.end()); }

std::string RandomString(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

// ---- hex -------------------------------------------------------------------

TEST(CoreEncoding, HexIsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(Bytes({0x00, 0xff, 0x10, 0xab})), "00ff10ab");
  EXPECT_EQ(HexEncode("ab"), "6162");
}

// ---- base64url ---------------------------------------------------------------

TEST(CoreEncoding, Base64UrlMatchesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(CoreEncoding, Base64UrlUsesDashAndUnderscoreInsteadOfPlusAndSlash) {
  EXPECT_EQ(Base64UrlEncode(Bytes({0xfb, 0xff})), "-_8");
  EXPECT_EQ(Base64UrlEncode(Bytes({0xfb, 0xef, 0xbe})), "----");
  EXPECT_EQ(Base64UrlEncode(Bytes({0xff, 0xff, 0xff})), "____");
}

TEST(CoreEncoding, Base64UrlRoundTripsRandomBytesOfEveryLengthUpTo20) {
  std::mt19937 rng(20260101);
  for (size_t n = 0; n <= 20; ++n) {
    for (int round = 0; round < 50; ++round) {
      std::string in = RandomString(rng, n);
      std::string text = Base64UrlEncode(in);
      EXPECT_EQ(text.size(), (n * 4 + 2) / 3) << "length " << n;
      EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
      auto out = Base64UrlDecode(text);
      ASSERT_TRUE(out.has_value()) << "length " << n << ": " << text;
      EXPECT_EQ(*out, in) << "length " << n;
    }
  }
}

TEST(CoreEncoding, Base64UrlDecodeRejectsCharactersOutsideTheAlphabet) {
  for (const char* s : {"Zm9v+", "Zm9/", "Zg==", "Zm8=", "Zm 9v", "Zm9v\n", "Zm.v", "Zm9v!", "\xc3\xa9\xc3\xa9"})
    EXPECT_FALSE(Base64UrlDecode(s).has_value()) << s;
}

TEST(CoreEncoding, Base64UrlDecodeRejectsImpossibleLengths) {
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());
}

TEST(CoreEncoding, Base64UrlDecodeRejectsNonCanonicalTrailingBits) {
  // "f" is "Zg"; "Zh" carries the same byte but non-zero leftover bits.
  EXPECT_EQ(Base64UrlDecode("Zg"), std::optional<std::string>("f"));
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zv").has_value());
  // "fo" is "Zm8"; "Zm9" differs only in the two leftover bits.
  EXPECT_EQ(Base64UrlDecode("Zm8"), std::optional<std::string>("fo"));
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm_").has_value());
}

// ---- percent-encoding ------------------------------------------------------

TEST(CoreEncoding, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b"), "a%20b");
  EXPECT_EQ(PercentEncode("%"), "%25");
  EXPECT_EQ(PercentEncode("a+b/c?d&e=f#g"), "a%2Bb%2Fc%3Fd%26e%3Df%23g");
  EXPECT_EQ(PercentEncode("\"'\\"), "%22%27%5C");
}

TEST(CoreEncoding, PercentEncodeWritesUtf8BytesInUppercaseHex) {
  EXPECT_EQ(PercentEncode("ó"), "%C3%B3");
  EXPECT_EQ(PercentEncode("日本"), "%E6%97%A5%E6%9C%AC");
  EXPECT_EQ(PercentEncode("😀"), "%F0%9F%98%80");
}

TEST(CoreEncoding, PercentRoundTripsUtf8NamesAndThePercentSign) {
  for (const char* s : {"", "relatório final (2).pdf", "100% done.txt", "%25", "a%b", "日本 😀", "a+b c", "~/.x"}) {
    std::string enc = PercentEncode(s);
    EXPECT_EQ(PercentDecode(enc), std::optional<std::string>(s)) << s << " -> " << enc;
  }
}

TEST(CoreEncoding, PercentRoundTripsEveryByteValue) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(PercentDecode(PercentEncode(all)), std::optional<std::string>(all));
}

TEST(CoreEncoding, PercentDecodeAcceptsLowercaseHexAndLeavesPlusAlone) {
  EXPECT_EQ(PercentDecode("relat%c3%b3rio"), std::optional<std::string>("relatório"));
  EXPECT_EQ(PercentDecode("a+b"), std::optional<std::string>("a+b"));
  EXPECT_EQ(PercentDecode("plain"), std::optional<std::string>("plain"));
  EXPECT_EQ(PercentDecode("%41%42"), std::optional<std::string>("AB"));
}

TEST(CoreEncoding, PercentDecodeRejectsMalformedEscapes) {
  for (const char* s : {"%zz", "%4", "%", "abc%", "abc%4", "%g0", "%0g", "%%41", "a%2"})
    EXPECT_FALSE(PercentDecode(s).has_value()) << s;
}

// ---- UTF-8 -------------------------------------------------------------------

TEST(CoreEncoding, Utf8AcceptsAccentsCjkAndEmoji) {
  EXPECT_TRUE(IsValidUtf8("relatório ção 日本 😀"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
}

TEST(CoreEncoding, Utf8AcceptsBoundaryCodePoints) {
  EXPECT_TRUE(IsValidUtf8(Bytes({0x7f})));                    // U+007F
  EXPECT_TRUE(IsValidUtf8(Bytes({0xc2, 0x80})));              // U+0080
  EXPECT_TRUE(IsValidUtf8(Bytes({0xdf, 0xbf})));              // U+07FF
  EXPECT_TRUE(IsValidUtf8(Bytes({0xe0, 0xa0, 0x80})));        // U+0800
  EXPECT_TRUE(IsValidUtf8(Bytes({0xed, 0x9f, 0xbf})));        // U+D7FF
  EXPECT_TRUE(IsValidUtf8(Bytes({0xee, 0x80, 0x80})));        // U+E000
  EXPECT_TRUE(IsValidUtf8(Bytes({0xef, 0xbf, 0xbf})));        // U+FFFF
  EXPECT_TRUE(IsValidUtf8(Bytes({0xf0, 0x90, 0x80, 0x80})));  // U+10000
  EXPECT_TRUE(IsValidUtf8(Bytes({0xf4, 0x8f, 0xbf, 0xbf})));  // U+10FFFF
}

TEST(CoreEncoding, Utf8RejectsOverlongForms) {
  EXPECT_FALSE(IsValidUtf8(Bytes({0xc0, 0xaf})));              // '/' in two bytes
  EXPECT_FALSE(IsValidUtf8(Bytes({0xc1, 0xbf})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xe0, 0x80, 0xaf})));        // '/' in three bytes
  EXPECT_FALSE(IsValidUtf8(Bytes({0xe0, 0x9f, 0xbf})));        // U+07FF in three bytes
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf0, 0x80, 0x80, 0xaf})));  // '/' in four bytes
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf0, 0x8f, 0xbf, 0xbf})));  // U+FFFF in four bytes
}

TEST(CoreEncoding, Utf8RejectsSurrogates) {
  EXPECT_FALSE(IsValidUtf8(Bytes({0xed, 0xa0, 0x80})));  // U+D800
  EXPECT_FALSE(IsValidUtf8(Bytes({0xed, 0xbf, 0xbf})));  // U+DFFF
  EXPECT_FALSE(IsValidUtf8("ok" + Bytes({0xed, 0xb0, 0x80}) + "ok"));
}

TEST(CoreEncoding, Utf8RejectsTruncatedSequences) {
  EXPECT_FALSE(IsValidUtf8(Bytes({0xc3})));
  EXPECT_FALSE(IsValidUtf8("relat" + Bytes({0xc3})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xe6, 0x97})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf0, 0x9f, 0x98})));
  // A lead byte followed by ASCII instead of continuation bytes.
  EXPECT_FALSE(IsValidUtf8(Bytes({0xc3, 'a'})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xe6, 0x97, 'a'})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf0, 0x9f, 0x98, 'a'})));
}

TEST(CoreEncoding, Utf8RejectsStrayContinuationBytes) {
  EXPECT_FALSE(IsValidUtf8(Bytes({0x80})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xbf})));
  EXPECT_FALSE(IsValidUtf8("a" + Bytes({0xc3, 0xb3, 0xb3})));
}

TEST(CoreEncoding, Utf8RejectsBytesAboveF4AndCodePointsPast10FFFF) {
  for (int lead = 0xf5; lead <= 0xff; ++lead)
    EXPECT_FALSE(IsValidUtf8(Bytes({static_cast<unsigned char>(lead), 0x80, 0x80, 0x80}))) << lead;
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf4, 0x90, 0x80, 0x80})));  // U+110000
}

// ---- comparison and randomness ----------------------------------------------

TEST(CoreEncoding, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("signature", "signature"));
  EXPECT_FALSE(ConstantTimeEquals("signature", "signaturE"));
  EXPECT_FALSE(ConstantTimeEquals("Signature", "signature"));
  EXPECT_FALSE(ConstantTimeEquals("sig", "signature"));
  EXPECT_FALSE(ConstantTimeEquals("signature", "sig"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(CoreEncoding, RandomBytesHasTheAskedLengthAndDiffersEachCall) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

}  // namespace
}  // namespace arca
