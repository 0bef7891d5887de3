// Signed blob links: Arca signs them for the embedded store, and only a link
// with every part unchanged and the same secret may be served.
#include "core/signed_link.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "core/encoding.hpp"

namespace arca {
namespace {

const std::string kSecret = "s3cr3t-key-of-at-least-32-bytes!!";

// What a server sees of a link: the decoded path key and the decoded query values.
struct Parsed {
  std::string key;
  std::map<std::string, std::string> query;
  std::string get(const std::string& k) const {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  }
};

// A tiny splitter, as an HTTP router would do it: path and query at the
// first '?', pairs at '&', name and value at the first '=', values decoded.
std::optional<Parsed> Split(const std::string& link) {
  const std::string prefix = "/blob/";
  if (link.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  size_t qm = link.find('?');
  if (qm == std::string::npos) return std::nullopt;
  Parsed p;
  auto key = PercentDecode(std::string_view(link).substr(prefix.size(), qm - prefix.size()));
  if (!key) return std::nullopt;
  p.key = *key;
  std::string_view rest = std::string_view(link).substr(qm + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto value = PercentDecode(pair.substr(eq + 1));
    if (!value) return std::nullopt;
    if (!p.query.emplace(std::string(pair.substr(0, eq)), *value).second) return std::nullopt;  // repeated
  }
  return p;
}

std::optional<BlobLink> Verify(const Parsed& p, const std::string& secret = kSecret) {
  return VerifyBlobLink(secret, p.key, p.get("exp"), p.get("name"), p.get("type"), p.get("sig"));
}

BlobLink Example() {
  return BlobLink{"u/0190a1b2-0000-7000-8000-000000000001/relatório & co.pdf", 1796414392,
                  "relatório final (2) 100%+a=b&c.pdf", "application/pdf"};
}

Parsed SignAndSplit(const BlobLink& link, const std::string& secret = kSecret) {
  std::string url = SignBlobLink(secret, link);
  auto p = Split(url);
  EXPECT_TRUE(p.has_value()) << url;
  return p.value_or(Parsed{});
}

TEST(CoreSignedLink, SignedLinkVerifiesWithTheSameSecret) {
  BlobLink link = Example();
  auto got = Verify(SignAndSplit(link));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, link.key);
  EXPECT_EQ(got->expires, link.expires);
  EXPECT_EQ(got->filename, link.filename);
  EXPECT_EQ(got->content_type, link.content_type);
}

TEST(CoreSignedLink, LinkIsARelativeBlobPathWithEveryQueryPart) {
  std::string url = SignBlobLink(kSecret, Example());
  EXPECT_EQ(url.rfind("/blob/u/0190a1b2-0000-7000-8000-000000000001/relat%C3%B3rio%20%26%20co.pdf?exp=1796414392&", 0),
            0u)
      << url;
  auto p = Split(url);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->query.size(), 4u);
  for (const char* k : {"exp", "name", "type", "sig"}) EXPECT_TRUE(p->query.count(k)) << k;
  // Nothing in the name can break the URL apart.
  EXPECT_EQ(url.find(' '), std::string::npos);
  EXPECT_EQ(url.find('+'), std::string::npos);
}

TEST(CoreSignedLink, AlteredKeyFails) {
  Parsed p = SignAndSplit(Example());
  p.key = "u/0190a1b2-0000-7000-8000-000000000002/relatório & co.pdf";
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, AlteredExpiryFails) {
  Parsed p = SignAndSplit(Example());
  p.query["exp"] = "1796414393";
  EXPECT_FALSE(Verify(p).has_value());
  p.query["exp"] = "01796414392";  // same number, other text
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, AlteredNameFails) {
  Parsed p = SignAndSplit(Example());
  p.query["name"] = "malware.exe";
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, AlteredTypeFails) {
  Parsed p = SignAndSplit(Example());
  p.query["type"] = "text/html";
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, AlteredSignatureFails) {
  Parsed p = SignAndSplit(Example());
  std::string sig = p.get("sig");
  ASSERT_FALSE(sig.empty());
  std::string flipped = sig;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  p.query["sig"] = flipped;
  EXPECT_FALSE(Verify(p).has_value());
  p.query["sig"] = sig.substr(0, sig.size() - 1);
  EXPECT_FALSE(Verify(p).has_value());
  p.query["sig"] = "";
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, AnotherSecretFails) {
  Parsed p = SignAndSplit(Example());
  EXPECT_FALSE(Verify(p, "another-secret-of-the-same-length").has_value());
  EXPECT_FALSE(Verify(p, "").has_value());
  EXPECT_NE(SignBlobLink(kSecret, Example()), SignBlobLink("other", Example()));
}

TEST(CoreSignedLink, MovingBytesBetweenNameAndTypeFails) {
  BlobLink link{"k", 100, "report.pd", "fapplication/pdf"};
  Parsed p = SignAndSplit(link);
  p.query["name"] = "report.pdf";
  p.query["type"] = "application/pdf";
  EXPECT_FALSE(Verify(p).has_value());
}

TEST(CoreSignedLink, ExpiredLinkStillVerifiesSoCallerCanTellExpiryFromForgery) {
  BlobLink link{"k/1", 1, "old.txt", "text/plain"};
  auto got = Verify(SignAndSplit(link));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->expires, 1);
}

TEST(CoreSignedLink, EmptyNameAndTypeStillSign) {
  BlobLink link{"k", 1796414392, "", ""};
  auto got = Verify(SignAndSplit(link));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->filename, "");
  EXPECT_EQ(got->content_type, "");
}

TEST(CoreSignedLink, SigningIsDeterministic) {
  EXPECT_EQ(SignBlobLink(kSecret, Example()), SignBlobLink(kSecret, Example()));
}

}  // namespace
}  // namespace arca
