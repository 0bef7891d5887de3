// Object keys of the two layouts: opaque from the id; named from the owner,
// folder and name, readable and safe for every store.
#include <gtest/gtest.h>

#include "core/object_keys.hpp"

namespace arca {
namespace {

TEST(ObjectKeys, NamedKeysMirrorOwnerFolderAndName) {
  EXPECT_EQ(*NamedObjectKey("alice", "", "report.pdf"), "users/alice/report.pdf");
  EXPECT_EQ(*NamedObjectKey("alice", "reports/2026", "relatório ação.pdf"), "users/alice/reports/2026/relatório ação.pdf");
  EXPECT_EQ(OpaqueObjectKey("01a2"), "files/01a2");
}

TEST(ObjectKeys, WhatAStoreCannotHoldIsEscaped) {
  // A leading dot would make "." and ".." (and hidden files); '%' is the escape itself.
  EXPECT_EQ(*NamedObjectKey("alice", "", ".."), "users/alice/%2E.");
  EXPECT_EQ(*NamedObjectKey("alice", ".config", ".bashrc"), "users/alice/%2Econfig/%2Ebashrc");
  EXPECT_EQ(*NamedObjectKey("alice", "", "100%.txt"), "users/alice/100%25.txt");
  // The embedded store keeps metadata in "<key>.meta.json".
  EXPECT_EQ(*NamedObjectKey("alice", "", "x.meta.json"), "users/alice/x%2Emeta.json");
  // Distinct names stay distinct keys.
  EXPECT_NE(*NamedObjectKey("alice", "", "%2E."), *NamedObjectKey("alice", "", ".."));
}

TEST(ObjectKeys, KeysThatNoStoreTakesAreRefused) {
  EXPECT_TRUE(NamedObjectKey("alice", "", std::string(255, 'a')).ok());
  auto too_long = NamedObjectKey("alice", "", "." + std::string(254, 'a'));  // 257 bytes once escaped
  EXPECT_EQ(too_long.status().code(), "name_too_long_for_key");
  std::string deep;
  for (int i = 0; i < 9; ++i) deep += (i ? "/" : "") + std::string(120, 'f');
  EXPECT_EQ(NamedObjectKey("alice", deep, "a.txt").status().code(), "name_too_long_for_key");
}

TEST(ObjectKeys, LayoutsParseAndHaveDisjointPrefixes) {
  EXPECT_EQ(*ParseKeyLayout("named"), KeyLayout::kNamed);
  EXPECT_EQ(*ParseKeyLayout("opaque"), KeyLayout::kOpaque);
  EXPECT_FALSE(ParseKeyLayout("flat").ok());
  EXPECT_FALSE(KeyPrefix(KeyLayout::kNamed).starts_with(KeyPrefix(KeyLayout::kOpaque)));
}

}  // namespace
}  // namespace arca
