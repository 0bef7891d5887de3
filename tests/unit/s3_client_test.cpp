// Storage URL parsing and presigned-link shape for the S3 client: the parts
// that need no server (the rest runs against versitygw in the contract and
// black-box suites).
#include <gtest/gtest.h>

#include "adapters/s3/s3_client.hpp"

namespace arca::s3 {
namespace {

TEST(S3StorageUrl, ReadsBucketEndpointRegionAndDefaultsToPathStyle) {
  auto c = ParseStorageUrl("s3://files?endpoint=http://127.0.0.1:9000&region=eu-west-1", "ak", "sk");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->bucket, "files");
  EXPECT_FALSE(c->endpoint.tls);
  EXPECT_EQ(c->endpoint.host, "127.0.0.1");
  EXPECT_EQ(c->endpoint.port, 9000);
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_TRUE(c->path_style);
  EXPECT_TRUE(c->verify_tls);
  EXPECT_EQ(c->credentials.access_key, "ak");
}

TEST(S3StorageUrl, HttpsEndpointWithoutPortUses443AndVerifiesTls) {
  auto c = ParseStorageUrl("s3://b?endpoint=https://s3.example.com&addressing=virtual", "ak", "sk");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->endpoint.tls);
  EXPECT_EQ(c->endpoint.port, 443);
  EXPECT_FALSE(c->path_style);
  EXPECT_TRUE(c->verify_tls);
  EXPECT_EQ(c->endpoint.HostHeader(), "s3.example.com");
}

TEST(S3StorageUrl, BadSettingsAreRefusedNamingTheSetting) {
  for (const char* url : {"s3://?endpoint=http://h:1", "s3://b?endpoint=ftp://h", "s3://b?endpoint=http://h:99999",
                          "s3://b?endpoint=http://h:1&colour=blue", "s3://b?endpoint=http://h:1&addressing=sideways",
                          "file:///tmp"}) {
    auto c = ParseStorageUrl(url, "ak", "sk");
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_NE(c.status().message().find("storage_url"), std::string::npos) << c.status().message();
  }
  auto no_keys = ParseStorageUrl("s3://b?endpoint=http://h:1", "", "");
  ASSERT_FALSE(no_keys.ok());
  EXPECT_NE(no_keys.status().message().find("s3_access_key"), std::string::npos);
}

TEST(S3PresignedGet, PathStyleLinkPointsAtTheStoreWithTheDownloadName) {
  auto c = ParseStorageUrl("s3://files?endpoint=http://127.0.0.1:9000", "AKIDEXAMPLE", "secret");
  ASSERT_TRUE(c.ok());
  S3Client client(*c);
  const Micros t = 1'780'000'000'000'000;
  std::string url = client.PresignGet("files/abc", {{"response-content-disposition", "attachment; filename=\"a b\""}},
                                      std::chrono::seconds(300), t);
  EXPECT_EQ(url.rfind("http://127.0.0.1:9000/files/files/abc?", 0), 0u) << url;
  EXPECT_NE(url.find("response-content-disposition=attachment%3B%20filename%3D%22a%20b%22"), std::string::npos) << url;
  EXPECT_NE(url.find("X-Amz-Expires=300"), std::string::npos);
  EXPECT_NE(url.find("X-Amz-SignedHeaders=host"), std::string::npos);
  EXPECT_EQ(url, client.PresignGet("files/abc", {{"response-content-disposition", "attachment; filename=\"a b\""}},
                                   std::chrono::seconds(300), t));  // deterministic for a given time
}

TEST(S3PresignedGet, VirtualHostLinkPutsTheBucketInTheHostName) {
  auto c = ParseStorageUrl("s3://files?endpoint=https://s3.example.com&addressing=virtual", "AKIDEXAMPLE", "secret");
  ASSERT_TRUE(c.ok());
  S3Client client(*c);
  std::string url = client.PresignGet("files/abc", {}, std::chrono::seconds(60), 1'780'000'000'000'000);
  EXPECT_EQ(url.rfind("https://files.s3.example.com/files/abc?", 0), 0u) << url;
}

}  // namespace
}  // namespace arca::s3
