// Bearer tokens (HS256 JWT): our own tokens verify; forged, altered, expired
// or foreign ones are refused whatever their header claims.
#include "adapters/auth/jwt_hs256.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace arca {
namespace {

namespace json = boost::json;

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";
constexpr std::int64_t kNow = 1'780'000'000;

// Builds a token from raw header and claims, signed with HMAC-SHA256 under `secret`.
std::string Sign(const json::object& header, const json::object& claims, const std::string& secret = kSecret) {
  std::string input = Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(claims));
  return input + "." + Base64UrlEncode(HmacSha256(secret, input));
}
json::object Hs256Header() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }
json::object ValidClaims() {
  return {{"sub", "user-1"}, {"iss", "arca"}, {"aud", "arca"}, {"iat", kNow}, {"exp", kNow + 600}};
}

class JwtTest : public ::testing::Test {
 protected:
  JwtTest() : jwt_(kSecret, "arca", "arca", [this] { return now_; }) {}

  void ExpectRefused(std::string_view token) {
    auto c = jwt_.Verify(token);
    ASSERT_FALSE(c.ok()) << "accepted: " << token;
    EXPECT_EQ(c.status().kind(), ErrorKind::kUnauthenticated);
    EXPECT_EQ(c.status().code(), "invalid_token");
  }

  std::int64_t now_ = kNow;
  auth::JwtHs256 jwt_;
  User user_{"0190a1b2-0000-7000-8000-00000000a11c", "alice", "", false, 0};
};

TEST_F(JwtTest, IssuedTokenVerifiesToItsUser) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(3600), "login");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_in, std::chrono::seconds(3600));
  auto c = jwt_.Verify(t->token);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->user_id, user_.id);
  EXPECT_FALSE(c->is_admin);  // roles come from the database, never from the token
}

TEST_F(JwtTest, IssuedTokenCarriesStandardClaims) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "ci");
  ASSERT_TRUE(t.ok());
  auto first = t->token.find('.');
  auto second = t->token.find('.', first + 1);
  auto header = Base64UrlDecode(t->token.substr(0, first));
  auto claims = Base64UrlDecode(t->token.substr(first + 1, second - first - 1));
  ASSERT_TRUE(header && claims);
  EXPECT_EQ(json::parse(*header).as_object().at("alg").as_string(), "HS256");
  json::object c = json::parse(*claims).as_object();
  EXPECT_EQ(c.at("sub").as_string(), user_.id);
  EXPECT_EQ(c.at("iss").as_string(), "arca");
  EXPECT_EQ(c.at("aud").as_string(), "arca");
  EXPECT_EQ(c.at("exp").to_number<std::int64_t>(), kNow + 60);
}

TEST_F(JwtTest, TwoTokensOfTheSameUserDiffer) {
  auto a = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  auto b = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  EXPECT_NE(a->token, b->token);
}

TEST_F(JwtTest, IssueRefusesANonPositiveLifetime) {
  EXPECT_EQ(jwt_.Issue(user_, std::chrono::seconds(0), "x").status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(JwtTest, HandBuiltValidTokenIsAccepted) {
  // The control for the forgeries below: only the named flaw makes them fail.
  auto c = jwt_.Verify(Sign(Hs256Header(), ValidClaims()));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->user_id, "user-1");
}

TEST_F(JwtTest, RefusesAlgNone) {
  json::object none{{"alg", "none"}, {"typ", "JWT"}};
  std::string unsigned_token =
      Base64UrlEncode(json::serialize(none)) + "." + Base64UrlEncode(json::serialize(ValidClaims())) + ".";
  ExpectRefused(unsigned_token);
  ExpectRefused(Sign(none, ValidClaims()));  // even with a correct HS256 signature
  ExpectRefused(Sign({{"alg", "None"}}, ValidClaims()));
  ExpectRefused(Sign({{"typ", "JWT"}}, ValidClaims()));  // no alg at all
}

TEST_F(JwtTest, RefusesAnotherAlgorithmEvenWithAValidHs256Signature) {
  ExpectRefused(Sign({{"alg", "HS512"}, {"typ", "JWT"}}, ValidClaims()));
  ExpectRefused(Sign({{"alg", "RS256"}, {"typ", "JWT"}}, ValidClaims()));
  ExpectRefused(Sign({{"alg", "hs256"}, {"typ", "JWT"}}, ValidClaims()));
}

TEST_F(JwtTest, RefusesATamperedPayload) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  const std::string& tok = t->token;
  auto first = tok.find('.');
  auto second = tok.find('.', first + 1);
  json::object claims = ValidClaims();
  claims["sub"] = "admin-user";
  std::string forged = tok.substr(0, first) + "." + Base64UrlEncode(json::serialize(claims)) + tok.substr(second);
  ExpectRefused(forged);

  std::string flipped = tok;
  flipped[first + 5] = flipped[first + 5] == 'A' ? 'B' : 'A';
  ExpectRefused(flipped);
  std::string bad_sig = tok;
  bad_sig.back() = bad_sig.back() == 'A' ? 'B' : 'A';
  ExpectRefused(bad_sig);
}

TEST_F(JwtTest, RefusesATokenSignedWithAnotherSecret) {
  auth::JwtHs256 other("another-secret-of-at-least-32-bytes!!", "arca", "arca", [] { return kNow; });
  auto t = other.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  ExpectRefused(t->token);
  ExpectRefused(Sign(Hs256Header(), ValidClaims(), "another-secret-of-at-least-32-bytes!!"));
}

TEST_F(JwtTest, RefusesAnExpiredToken) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  now_ = kNow + 59;
  EXPECT_TRUE(jwt_.Verify(t->token).ok());
  now_ = kNow + 60;
  ExpectRefused(t->token);
  now_ = kNow + 100000;
  ExpectRefused(t->token);
}

TEST_F(JwtTest, RefusesMissingOrMalformedExpiry) {
  json::object c = ValidClaims();
  c.erase("exp");
  ExpectRefused(Sign(Hs256Header(), c));
  c["exp"] = "2100-01-01";
  ExpectRefused(Sign(Hs256Header(), c));
}

TEST_F(JwtTest, RefusesMissingSubject) {
  json::object c = ValidClaims();
  c.erase("sub");
  ExpectRefused(Sign(Hs256Header(), c));
  c["sub"] = "";
  ExpectRefused(Sign(Hs256Header(), c));
}

TEST_F(JwtTest, RefusesAWrongIssuer) {
  json::object c = ValidClaims();
  c["iss"] = "someone-else";
  ExpectRefused(Sign(Hs256Header(), c));
  c.erase("iss");
  ExpectRefused(Sign(Hs256Header(), c));
}

TEST_F(JwtTest, RefusesAWrongAudience) {
  json::object c = ValidClaims();
  c["aud"] = "other-service";
  ExpectRefused(Sign(Hs256Header(), c));
  c["aud"] = json::array{"other-service", "third"};
  ExpectRefused(Sign(Hs256Header(), c));
  c.erase("aud");
  ExpectRefused(Sign(Hs256Header(), c));
}

TEST_F(JwtTest, AcceptsAnAudienceArrayContainingArca) {
  json::object c = ValidClaims();
  c["aud"] = json::array{"other-service", "arca"};
  auto caller = jwt_.Verify(Sign(Hs256Header(), c));
  ASSERT_TRUE(caller.ok()) << caller.status().message();
  EXPECT_EQ(caller->user_id, "user-1");
}

TEST_F(JwtTest, RefusesGarbage) {
  for (const char* g : {"", "garbage", ".", "..", "a.b.c", "!!!.@@@.###", "eyJhbGciOiJIUzI1NiJ9..",
                        "Bearer x.y.z"}) {
    SCOPED_TRACE(g);
    ExpectRefused(g);
  }
  std::string not_json = Base64UrlEncode("not json") + "." + Base64UrlEncode("{}");
  ExpectRefused(not_json + "." + Base64UrlEncode(HmacSha256(kSecret, not_json)));
  std::string array_claims = Base64UrlEncode(json::serialize(Hs256Header())) + "." + Base64UrlEncode("[1,2]");
  ExpectRefused(array_claims + "." + Base64UrlEncode(HmacSha256(kSecret, array_claims)));
}

TEST_F(JwtTest, RefusesTwoOrFourSegments) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  const std::string& tok = t->token;
  ExpectRefused(tok.substr(0, tok.rfind('.')));  // header.payload
  ExpectRefused(tok + ".");
  ExpectRefused(tok + ".extra");
  ExpectRefused("x." + tok);
}

// Each thread remembers the tokens it verified, by their exact bytes, so a
// client's repeated token skips the JSON and the HMAC. What is remembered
// must never widen what is accepted.
TEST_F(JwtTest, ARememberedTokenIsStillCheckedAgainstTheVerifiersSecret) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(jwt_.Verify(t->token).ok());
  auth::JwtHs256 other("another-secret-of-at-least-32-bytes!!", "arca", "arca", [] { return kNow; });
  auto c = other.Verify(t->token);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "invalid_token");
  EXPECT_TRUE(jwt_.Verify(t->token).ok());  // and the first verifier still knows it
}

TEST_F(JwtTest, ATokenOneByteAwayFromARememberedOneIsRefused) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(jwt_.Verify(t->token).ok());
  std::string altered = t->token;
  const size_t in_payload = altered.find('.') + 5;
  altered[in_payload] = altered[in_payload] == 'A' ? 'B' : 'A';
  ExpectRefused(altered);
  ExpectRefused(t->token + "A");
  ExpectRefused(t->token.substr(0, t->token.size() - 1));
}

TEST_F(JwtTest, ARememberedTokenExpiresOnTime) {
  auto t = jwt_.Issue(user_, std::chrono::seconds(60), "x");
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(jwt_.Verify(t->token).ok());
  now_ = kNow + 60;
  ExpectRefused(t->token);
  EXPECT_EQ(jwt_.Verify(t->token).status().message(), "expired");
}

}  // namespace
}  // namespace arca
