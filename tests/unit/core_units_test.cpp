// Human units in settings: ARCA_PRESIGN_TTL=5m, ARCA_MAX_UPLOAD=5GiB, --ttl.
#include "core/units.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace arca {
namespace {

using std::chrono::seconds;

TEST(CoreUnits, DurationFiveMinutesIsThreeHundredSeconds) {
  EXPECT_EQ(ParseDuration("5m"), seconds(300));
}

TEST(CoreUnits, DurationAcceptsEachUnit) {
  EXPECT_EQ(ParseDuration("90s"), seconds(90));
  EXPECT_EQ(ParseDuration("2h"), seconds(7200));
  EXPECT_EQ(ParseDuration("7d"), seconds(7 * 86400));
  EXPECT_EQ(ParseDuration("0s"), seconds(0));
}

TEST(CoreUnits, DurationCombinesParts) {
  EXPECT_EQ(ParseDuration("1h30m"), seconds(5400));
  EXPECT_EQ(ParseDuration("1d2h3m4s"), seconds(86400 + 7200 + 180 + 4));
}

TEST(CoreUnits, DurationRequiresAUnit) {
  EXPECT_FALSE(ParseDuration("5").has_value());
  EXPECT_FALSE(ParseDuration("1h30").has_value());
}

TEST(CoreUnits, DurationRequiresANumber) {
  EXPECT_FALSE(ParseDuration("m").has_value());
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_FALSE(ParseDuration("h1").has_value());
}

TEST(CoreUnits, DurationRejectsNegativeFractionalAndSpacedValues) {
  for (const char* s : {"-1s", "+1s", "1.5h", "5 m", " 5m", "5m ", "5M", "5min", "5ms", "1w", "5x"})
    EXPECT_FALSE(ParseDuration(s).has_value()) << s;
}

TEST(CoreUnits, DurationRejectsAbsurdlyLargeValuesInsteadOfWrapping) {
  EXPECT_FALSE(ParseDuration("999999999999s").has_value());
  // Many parts that are each in range must not add up past the limit either.
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "99999999999d";
  EXPECT_FALSE(ParseDuration(many).has_value());
  EXPECT_EQ(ParseDuration("3650d"), seconds(3650LL * 86400));
}

TEST(CoreUnits, SizeGibibytesArePowersOf1024) {
  EXPECT_EQ(ParseSize("5GiB"), 5ULL << 30);
  EXPECT_EQ(ParseSize("1KiB"), 1024ULL);
  EXPECT_EQ(ParseSize("3MiB"), 3ULL << 20);
  EXPECT_EQ(ParseSize("2TiB"), 2ULL << 40);
}

TEST(CoreUnits, SizeMegabytesArePowersOf1000) {
  EXPECT_EQ(ParseSize("10MB"), 10000000ULL);
  EXPECT_EQ(ParseSize("1KB"), 1000ULL);
  EXPECT_EQ(ParseSize("2GB"), 2000000000ULL);
  EXPECT_EQ(ParseSize("1TB"), 1000000000000ULL);
}

TEST(CoreUnits, SizePlainNumberIsBytes) {
  EXPECT_EQ(ParseSize("123"), 123ULL);
  EXPECT_EQ(ParseSize("123B"), 123ULL);
  EXPECT_EQ(ParseSize("0"), 0ULL);
}

TEST(CoreUnits, SizeUnitIsCaseInsensitive) {
  EXPECT_EQ(ParseSize("5gib"), 5ULL << 30);
  EXPECT_EQ(ParseSize("10mb"), 10000000ULL);
  EXPECT_EQ(ParseSize("7b"), 7ULL);
}

TEST(CoreUnits, SizeRejectsUnknownUnitsAndEmptyText) {
  for (const char* s : {"1XB", "", "GiB", "-1", "+1", "1.5GB", " 1", "1 GiB", "1GiB ", "1G", "1Gi", "1bytes"})
    EXPECT_FALSE(ParseSize(s).has_value()) << s;
}

TEST(CoreUnits, SizeRejectsValuesThatWouldOverflow) {
  EXPECT_FALSE(ParseSize("99999999999999999999").has_value());
  // In range as a number, but the unit pushes it past 64 bits.
  EXPECT_FALSE(ParseSize("20000000TiB").has_value());
  EXPECT_FALSE(ParseSize("9007199254740992TB").has_value());
  // The largest TiB count that fits is still accepted.
  EXPECT_EQ(ParseSize("16777215TiB"), ((1ULL << 24) - 1) << 40);
}

}  // namespace
}  // namespace arca
