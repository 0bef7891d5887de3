// Identifiers: UUIDv7 strings, unique and in creation order.
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"

namespace arca {
namespace {

// 8-4-4-4-12 lowercase hex, version nibble 7, variant bits 10xx.
bool LooksLikeUuidV7(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return id[14] == '7' && std::string("89ab").find(id[19]) != std::string::npos;
}

TEST(CoreIds, NewIdIsALowercaseVersion7Uuid) {
  for (int i = 0; i < 200; ++i) {
    std::string id = NewId();
    EXPECT_TRUE(LooksLikeUuidV7(id)) << id;
    EXPECT_TRUE(IsValidId(id)) << id;
  }
}

TEST(CoreIds, NewIdStartsWithTheCurrentUnixMilliseconds) {
  long long before = NowMicros() / 1000;
  std::string id = NewId();
  long long after = NowMicros() / 1000;
  std::string hex = id.substr(0, 8) + id.substr(9, 4);
  long long ms = std::stoll(hex, nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after);
}

TEST(CoreIds, NewIdsAreUniqueOver10000Calls) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewId());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(CoreIds, IdsCreatedTwoMillisecondsApartSortInCreationOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ids.push_back(NewId());
  }
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << i;
}

TEST(CoreIds, IsValidIdAcceptsCanonicalLowercaseUuids) {
  EXPECT_TRUE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"));
  EXPECT_TRUE(IsValidId("00000000-0000-0000-0000-000000000000"));
}

TEST(CoreIds, IsValidIdRejectsUppercase) {
  EXPECT_FALSE(IsValidId("0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"));
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2B"));
}

TEST(CoreIds, IsValidIdRejectsWrongLengths) {
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2"));    // 35
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b0"));  // 37
  EXPECT_FALSE(IsValidId("{0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b}"));
}

TEST(CoreIds, IsValidIdRejectsMissingOrMisplacedDashes) {
  EXPECT_FALSE(IsValidId("0190a1b2c3d47e5f8a6b7c8d9e0f1a2b"));      // 32 hex digits, no dashes
  EXPECT_FALSE(IsValidId("0190a1b2c-3d4-7e5f-8a6b-7c8d9e0f1a2b"));  // right length, dash moved
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b07c8d9e0f1a2b"));
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a-b"));
}

TEST(CoreIds, IsValidIdRejectsNonHexCharacters) {
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2g"));
  EXPECT_FALSE(IsValidId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2 "));
  EXPECT_FALSE(IsValidId("../../etc/passwd-aaaa-aaaa-aaaaaaaaaaaa"));
}

TEST(CoreIds, RequestIdsAreSixteenLowercaseHexDigits) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  }
}

TEST(CoreIds, RequestIdsAreUniqueAcrossThreadsAndDoNotLookAlike) {
  // Four threads, as the server's event loops and handler pool would ask.
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread)
    threads.emplace_back([&ids] {
      for (int i = 0; i < 20000; ++i) ids.push_back(NewRequestId());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  for (auto& ids : per_thread) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), 80000u);
  // Consecutive ids of one thread differ in about half their digits, not
  // just the last: a counter shown as is would give ids a reader mixes up.
  const auto& ids = per_thread[0];
  size_t differing = 0;
  for (size_t i = 1; i < ids.size(); ++i)
    for (size_t d = 0; d < 16; ++d) differing += ids[i][d] != ids[i - 1][d];
  EXPECT_GT(static_cast<double>(differing) / static_cast<double>(ids.size() - 1), 12.0);
}

}  // namespace
}  // namespace arca
