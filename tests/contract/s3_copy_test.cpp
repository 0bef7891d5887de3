// Server-side copies on a real S3 server (ARCA_TEST_STORAGE_URL): the plain
// CopyObject and, forced with small thresholds, the UploadPartCopy path that
// objects over 5 GiB take. Physical renames (named layout) build on this.
#include <gtest/gtest.h>

#include <cstdlib>

#include "adapters/s3/s3_client.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"

namespace arca::s3 {
namespace {

class S3Copy : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("ARCA_TEST_STORAGE_URL");
    if (!url || !*url) GTEST_SKIP() << "ARCA_TEST_STORAGE_URL is not set";
    std::string u = url;
    auto cfg = ParseStorageUrl("s3://copy-" + HexEncode(RandomBytes(4)) + u.substr(u.find('?')),
                               std::getenv("ARCA_TEST_S3_ACCESS_KEY"), std::getenv("ARCA_TEST_S3_SECRET_KEY"));
    ASSERT_TRUE(cfg.ok()) << cfg.status().message();
    client_ = std::make_unique<S3Client>(*cfg);
    ASSERT_TRUE(client_->CreateBucket().ok());
  }
  std::string Bytes(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
    return s;
  }
  std::unique_ptr<S3Client> client_;
};

TEST_F(S3Copy, CopyKeepsBytesAndMetadata) {
  const std::string body = Bytes(100000), from = "files/" + NewId(), to = "files/" + NewId();
  ASSERT_TRUE(client_->PutObject(from, body, {{"arca-id", "a1"}}).ok());
  ASSERT_TRUE(client_->CopyObject(from, to).ok());
  auto head = client_->HeadObject(to);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 100000);
  EXPECT_EQ(head->meta["arca-id"], "a1");
  EXPECT_EQ(*client_->GetObjectRange(to, 0, 100000), body);
}

TEST_F(S3Copy, LargeObjectsAreCopiedPartByPart) {
  const std::string body = Bytes(12 * 1024 * 1024 + 5), from = "files/" + NewId(), to = "files/" + NewId();
  ASSERT_TRUE(client_->PutObject(from, body, {{"arca-id", "big"}}).ok());
  // Force the multipart path: anything over 1 MiB, in 5 MiB ranges (S3's minimum part).
  ASSERT_TRUE(client_->CopyObject(from, to, 1 << 20, 5 << 20).ok());
  auto head = client_->HeadObject(to);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, static_cast<std::int64_t>(body.size()));
  EXPECT_EQ(head->meta["arca-id"], "big");
  EXPECT_EQ(*client_->GetObjectRange(to, 0, static_cast<std::int64_t>(body.size())), body);
  EXPECT_EQ(*client_->CountMultipartUploads(""), 0);
}

TEST_F(S3Copy, CopyOfAMissingObjectIsNotFound) {
  EXPECT_EQ(client_->CopyObject("files/none", "files/other").kind(), ErrorKind::kNotFound);
}

TEST_F(S3Copy, ACreateOnlyCopyGoesPartByPartAndNeverReplaces) {
  const std::string body = Bytes(11 * 1024 * 1024 + 3), from = "files/" + NewId();
  const std::string to = "users/alice/relatório final.bin";
  ASSERT_TRUE(client_->PutObject(from, body, {{"arca-id", "big"}, {"arca-name", "old"}}).ok());
  // 5 MiB ranges: three UploadPartCopy calls, as a >5 GiB object takes in 1 GiB ones.
  ASSERT_TRUE(client_->CopyObjectIfAbsent(from, to, {{"arca-id", "big"}, {"arca-name", "new"}}, 5 << 20).ok());
  auto head = client_->HeadObject(to);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->meta["arca-name"], "new");
  EXPECT_EQ(*client_->GetObjectRange(to, 0, static_cast<std::int64_t>(body.size())), body);
  // Again onto the now-taken key: refused by the store, and no upload is left open.
  auto again = client_->CopyObjectIfAbsent(from, to, {{"arca-id", "other"}}, 5 << 20);
  EXPECT_EQ(again.code(), "object_exists");
  EXPECT_EQ(client_->HeadObject(to)->meta["arca-id"], "big");
  EXPECT_EQ(*client_->CountMultipartUploads(""), 0);
}

TEST_F(S3Copy, ListingWalksEveryPageOfAPrefixAndNothingElse) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(client_->PutObject("images/" + std::to_string(i), "x", {}).ok());
  ASSERT_TRUE(client_->PutObject("images2/0", "x", {}).ok());
  std::optional<std::string> token;
  std::vector<std::string> keys;
  int pages = 0;
  do {
    auto page = client_->ListObjects("images/", token, 3);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (auto& o : page->objects) keys.push_back(o.key);
    token = page->next_token;
    ++pages;
  } while (token && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(keys.size(), 7u);
  for (auto& k : keys) EXPECT_TRUE(k.starts_with("images/")) << k;
}

}  // namespace
}  // namespace arca::s3
