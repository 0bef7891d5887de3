// The record's JSON is written by hand for speed; these check it is valid
// JSON that says exactly what the record holds, whatever the names contain.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "http/file_json.hpp"

namespace arca::http {
namespace {

FileRecord Sample() {
  FileRecord f;
  f.id = "01a243ec-c346-713f-a414-c3785be7f802";
  f.name = "relatório \"final\" \\ v2\t\n\x01.pdf";
  f.folder = "docs/2026";
  f.project = "ação";
  f.owner_id = "u-1";
  f.owner_username = "alice";
  f.size = 1234567890123;
  f.content_type = "application/pdf";
  f.declared_content_type = "";
  f.sha256 = std::string(64, 'a');
  f.description = "line one\r\nline two \x1f end";
  f.tags = {"a", "b\"c"};
  f.status = ReviewStatus::kApproved;
  f.state = FileState::kReady;
  f.created_at = 1'780'000'000'123'456;
  f.updated_at = 1'780'000'001'000'000;
  return f;
}

TEST(FileJson, IsValidJsonWithEveryFieldAsTheRecordHasIt) {
  const FileRecord f = Sample();
  boost::system::error_code ec;
  auto v = boost::json::parse(FileJson(f), ec);
  ASSERT_FALSE(ec) << FileJson(f);
  auto& o = v.as_object();
  EXPECT_EQ(o.size(), 15u);
  EXPECT_EQ(o.at("id").as_string(), f.id);
  EXPECT_EQ(o.at("name").as_string(), f.name);
  EXPECT_EQ(o.at("folder").as_string(), "docs/2026");
  EXPECT_EQ(o.at("project").as_string(), "ação");
  EXPECT_EQ(o.at("owner").as_object().at("id").as_string(), "u-1");
  EXPECT_EQ(o.at("owner").as_object().at("username").as_string(), "alice");
  EXPECT_EQ(o.at("size").as_int64(), 1234567890123);
  EXPECT_EQ(o.at("content_type").as_string(), "application/pdf");
  EXPECT_EQ(o.at("declared_content_type").as_string(), "");
  EXPECT_EQ(o.at("sha256").as_string(), f.sha256);
  EXPECT_EQ(o.at("description").as_string(), f.description);
  ASSERT_EQ(o.at("tags").as_array().size(), 2u);
  EXPECT_EQ(o.at("tags").as_array()[1].as_string(), "b\"c");
  EXPECT_EQ(o.at("status").as_string(), "approved");
  EXPECT_EQ(o.at("state").as_string(), "ready");
  EXPECT_EQ(o.at("created_at").as_string(), "2026-05-28T20:26:40.123456Z");
  EXPECT_EQ(o.at("updated_at").as_string(), "2026-05-28T20:26:41.000000Z");
}

TEST(FileJson, NoTagsIsAnEmptyArray) {
  FileRecord f = Sample();
  f.tags.clear();
  auto v = boost::json::parse(FileJson(f));
  EXPECT_TRUE(v.as_object().at("tags").as_array().empty());
}

TEST(FileJson, StringsEscapeOnlyWhatJsonRequires) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\x01\x7f é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u0001\x7f é\"");
}

}  // namespace
}  // namespace arca::http
