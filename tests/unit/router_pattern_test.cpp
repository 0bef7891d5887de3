// Route patterns: "{name}" takes one path segment, "{name*}" the rest of
// the path. Matching allocates nothing, so captures are bounded.
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/router.hpp"

namespace arca {
namespace {

using http::MatchPattern;
using http::PathCaptures;

// `path` fits `pattern` with exactly one capture, `name` = `value`.
void ExpectOneCapture(std::string_view pattern, std::string_view path, std::string_view name,
                      std::string_view value) {
  PathCaptures c;
  ASSERT_TRUE(MatchPattern(pattern, path, c));
  ASSERT_EQ(c.size, 1u);
  EXPECT_EQ(c.items[0].first, name);
  EXPECT_EQ(c.items[0].second, value);
}

TEST(RouterPatternTest, ASegmentCaptureTakesExactlyOneSegment) {
  ExpectOneCapture("/api/files/{id}/download", "/api/files/abc-1/download", "id", "abc-1");
  PathCaptures c;
  EXPECT_FALSE(MatchPattern("/api/files/{id}", "/api/files/", c));
  EXPECT_FALSE(MatchPattern("/api/files/{id}", "/api/files/a/b", c));
  EXPECT_FALSE(MatchPattern("/api/files/{id}", "/api/file/a", c));
  EXPECT_FALSE(MatchPattern("/api/files", "/api/files/", c));
}

TEST(RouterPatternTest, ARestCaptureTakesTheRestButNotNothing) {
  ExpectOneCapture("/blob/{key*}", "/blob/users/alice/a b.txt", "key", "users/alice/a b.txt");
  PathCaptures c;
  EXPECT_FALSE(MatchPattern("/blob/{key*}", "/blob/", c));
}

TEST(RouterPatternTest, SeveralCapturesKeepTheirOrder) {
  PathCaptures c;
  ASSERT_TRUE(MatchPattern("/{a}/{b}/x/{c*}", "/1/2/x/3/4", c));
  ASSERT_EQ(c.size, 3u);
  EXPECT_EQ(c.items[0].second, "1");
  EXPECT_EQ(c.items[1].second, "2");
  EXPECT_EQ(c.items[2].second, "3/4");
}

TEST(RouterPatternTest, TooManyCapturesNeverMatchAndTheRouterRefusesThem) {
  PathCaptures c;
  EXPECT_TRUE(MatchPattern("/{a}/{b}/{c}/{d}", "/1/2/3/4", c));
  EXPECT_FALSE(MatchPattern("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5", c));
  http::Metrics metrics;
  http::Router router([](std::string_view) -> Result<Caller> { return Caller{}; }, metrics);
  http::Route five{"GET", "/{a}/{b}/{c}/{d}/{e}", false, true, [](http::Request&) { return http::Response{}; }};
  EXPECT_THROW(router.Add(five), std::invalid_argument);
}

}  // namespace
}  // namespace arca
