// RFC 3339 timestamps: what Arca prints in records and events, and what it
// accepts in uploaded_after / uploaded_before.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace arca {
namespace {

constexpr Micros kSecond = 1000000;
constexpr Micros kHour = 3600 * kSecond;
// 2026-12-04T19:59:52.123456Z
constexpr Micros kExample = 1796414392123456;

TEST(CoreTime, FormatsUtcWithSixFractionDigits) {
  EXPECT_EQ(FormatRfc3339(kExample), "2026-12-04T19:59:52.123456Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339(5), "1970-01-01T00:00:00.000005Z");
}

TEST(CoreTime, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(-kSecond), "1969-12-31T23:59:59.000000Z");
}

TEST(CoreTime, ParsesWhatItFormats) {
  const std::vector<Micros> samples = {0,       1,          999999,          kSecond,   kExample,
                                       -1,      -kSecond,   -kSecond - 1,    951782400000000 /* 2000-02-29 */,
                                       253402300799999999 /* 9999-12-31T23:59:59.999999Z */};
  for (Micros t : samples) {
    std::string text = FormatRfc3339(t);
    auto back = ParseRfc3339(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, t) << text;
  }
}

TEST(CoreTime, NowRoundTripsThroughText) {
  Micros now = NowMicros();
  EXPECT_GT(now, ParseRfc3339("2024-01-01T00:00:00Z").value());
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(now)), now);
}

TEST(CoreTime, PositiveOffsetConvertsToUtc) {
  EXPECT_EQ(ParseRfc3339("2026-03-01T12:00:00+02:00"), ParseRfc3339("2026-03-01T10:00:00Z"));
}

TEST(CoreTime, NegativeOffsetConvertsToUtc) {
  EXPECT_EQ(ParseRfc3339("2026-03-01T12:00:00-05:30"), ParseRfc3339("2026-03-01T17:30:00Z"));
}

TEST(CoreTime, OffsetCanCrossMidnightAndYear) {
  EXPECT_EQ(ParseRfc3339("2027-01-01T01:00:00+03:00"), ParseRfc3339("2026-12-31T22:00:00Z"));
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00+00:00"), ParseRfc3339("2026-01-01T00:00:00Z"));
}

TEST(CoreTime, PlainDateIsMidnightUtc) {
  EXPECT_EQ(ParseRfc3339("2026-12-04"), ParseRfc3339("2026-12-04T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339("1970-01-01"), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-02"), 24 * kHour);
}

TEST(CoreTime, AcceptsLowercaseSeparatorsAndSpace) {
  auto want = ParseRfc3339("2026-12-04T19:59:52Z");
  ASSERT_TRUE(want.has_value());
  EXPECT_EQ(ParseRfc3339("2026-12-04t19:59:52z"), want);
  EXPECT_EQ(ParseRfc3339("2026-12-04 19:59:52Z"), want);
}

TEST(CoreTime, FractionIsReadAsMicroseconds) {
  auto base = ParseRfc3339("2026-12-04T19:59:52Z").value();
  EXPECT_EQ(ParseRfc3339("2026-12-04T19:59:52.5Z"), base + 500000);
  EXPECT_EQ(ParseRfc3339("2026-12-04T19:59:52.123Z"), base + 123000);
  EXPECT_EQ(ParseRfc3339("2026-12-04T19:59:52.123456Z"), base + 123456);
  // Digits past the microsecond are dropped, not rounded.
  EXPECT_EQ(ParseRfc3339("2026-12-04T19:59:52.1234569Z"), base + 123456);
}

TEST(CoreTime, RejectsGarbage) {
  for (const char* s : {"", "garbage", "2026", "2026-12", "2026/12/04", "26-12-04", "2026-1-04", "2026-12-4",
                        "2026-12-04x", "2026-12-04T", "2026-12-04T19:59", "2026-12-04T19-59-52Z",
                        "2026-12-04T19:59:52.Z", "2026-12-04T19:59:52Zjunk", "2026-12-04T19:59:52+0200",
                        "2026-12-04T19:59:52+02", "2026-12-04T19:59:52 +02:00", "२०२६-12-04", " 2026-12-04"}) {
    EXPECT_FALSE(ParseRfc3339(s).has_value()) << s;
  }
}

TEST(CoreTime, RejectsMissingOffset) {
  EXPECT_FALSE(ParseRfc3339("2026-12-04T19:59:52").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-12-04T19:59:52.123456").has_value());
}

TEST(CoreTime, RejectsMonthThirteenAndMonthZero) {
  EXPECT_FALSE(ParseRfc3339("2026-13-01").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-00-10").has_value());
}

TEST(CoreTime, RejectsOutOfRangeClockFields) {
  EXPECT_FALSE(ParseRfc3339("2026-12-04T24:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-12-04T23:60:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-12-04T23:59:61Z").has_value());
}

TEST(CoreTime, RejectsDaysThatTheMonthDoesNotHave) {
  EXPECT_FALSE(ParseRfc3339("2026-01-32").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-01-00").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-02-29").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-04-31").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-31").has_value());
  EXPECT_FALSE(ParseRfc3339("1900-02-29").has_value());  // not a leap year
}

TEST(CoreTime, AcceptsLeapDaysAndMonthEnds) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29").has_value());
  EXPECT_TRUE(ParseRfc3339("2000-02-29").has_value());
  EXPECT_TRUE(ParseRfc3339("2026-01-31").has_value());
  EXPECT_TRUE(ParseRfc3339("2026-04-30").has_value());
  EXPECT_TRUE(ParseRfc3339("2026-12-31T23:59:59Z").has_value());
  EXPECT_EQ(ParseRfc3339("2024-03-01").value() - ParseRfc3339("2024-02-29").value(), 24 * kHour);
}

TEST(CoreTime, RejectsOffsetsOutsideTheClock) {
  EXPECT_FALSE(ParseRfc3339("2026-12-04T19:59:52+24:00").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-12-04T19:59:52+99:99").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-12-04T19:59:52-01:60").has_value());
  EXPECT_TRUE(ParseRfc3339("2026-12-04T19:59:52+23:59").has_value());
}

}  // namespace
}  // namespace arca

namespace arca {
namespace {

// The hand-written calendar agrees with the C library's on every day from
// 1900 to 2400 (leap years, centuries, 2000 and 2100 included).
TEST(CoreTime, FormattingAgreesWithGmtimeOverCenturies) {
  for (long long day = -25567; day <= 157000; day += 1) {
    const long long secs = day * 86400 + (day * 7919) % 86400;
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char want[96];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.000042Z", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    ASSERT_EQ(FormatRfc3339(secs * 1000000 + 42), want) << day;
  }
}

}  // namespace
}  // namespace arca
