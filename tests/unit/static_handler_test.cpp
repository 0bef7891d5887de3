// The web UI's file serving: which relative paths are safe, what type each
// file is served as, and where the built UI is looked for.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "http/handlers/handlers.hpp"

namespace arca::http::handlers {
namespace {
namespace fs = std::filesystem;

TEST(StaticHandlerTest, KeepsCleanRelativePaths) {
  EXPECT_EQ(SafeRelativePath("index-3f2a.js"), "index-3f2a.js");
  EXPECT_EQ(SafeRelativePath("img/logo-1a2b.svg"), "img/logo-1a2b.svg");
  EXPECT_EQ(SafeRelativePath("relatório-ação.css"), "relatório-ação.css");
}

TEST(StaticHandlerTest, RefusesTraversalHiddenAndOddSegments) {
  for (const char* bad : {"", "..", "../secret", "a/../../b", ".", "./a.js", "a//b.js", "/etc/passwd", "a/",
                          ".env", "img/.git", "a\\..\\b", "a\x01.js"})
    EXPECT_FALSE(SafeRelativePath(bad).has_value()) << bad;
  EXPECT_FALSE(SafeRelativePath(std::string("a.js\0.png", 9)).has_value());
  EXPECT_FALSE(SafeRelativePath(std::string(2000, 'a')).has_value());
}

TEST(StaticHandlerTest, ServesEachFileWithItsType) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("index-3f2a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("index-3f2a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("img/logo.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("font.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("index-3f2a.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("archive.tar"), "application/octet-stream");
}

class FindWebDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("arca-webdir-" + std::to_string(::getpid()) + "-" + test->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "bin");
  }
  void TearDown() override { fs::remove_all(root_); }
  void MakeUi(const fs::path& dir) {
    fs::create_directories(dir);
    std::ofstream(dir / "index.html") << "<!doctype html>";
  }
  fs::path root_;
};

TEST_F(FindWebDirTest, ConfiguredDirMustHoldAnIndex) {
  EXPECT_FALSE(FindWebDir((root_ / "empty").string(), "/nowhere/arca").has_value());
  MakeUi(root_ / "ui");
  EXPECT_EQ(FindWebDir((root_ / "ui").string(), "/nowhere/arca"), fs::canonical(root_ / "ui").string());
}

TEST_F(FindWebDirTest, DefaultIsTheDistBesideTheBinary) {
  const std::string exe = (root_ / "bin" / "arca").string();
  EXPECT_EQ(FindWebDir("", exe), "");  // none: the placeholder page
  MakeUi(root_ / "web" / "dist");
  EXPECT_EQ(FindWebDir("", exe), fs::canonical(root_ / "web" / "dist").string());
}

}  // namespace
}  // namespace arca::http::handlers
