// ObjectStore contract: every adapter of the port (local files now, S3
// later) must pass these tests. They use the port interface only; an adapter
// joins by adding one line to kFactories at the bottom.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/localfs/localfs_object_store.hpp"
#include "adapters/s3/s3_object_store.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "contract/temp_dir.hpp"
#include "ports/object_store.hpp"

namespace arca {
namespace {
namespace fs = std::filesystem;

using testing::TempDir;

struct ObjectStoreFactory {
  std::string name;
  // An empty store whose data lives under `dir` (or is otherwise fresh).
  std::function<std::unique_ptr<ObjectStore>(const fs::path& dir)> open;
  // How many partial uploads the adapter keeps somewhere (temporary files,
  // unfinished multipart uploads). Null when the adapter cannot tell.
  std::function<size_t(const fs::path& dir)> partial_uploads;
};
void PrintTo(const ObjectStoreFactory& f, std::ostream* os) { *os << f.name; }

std::unique_ptr<ObjectStore> OpenLocalFs(const fs::path& dir) {
  localfs::LocalFsOptions o;
  o.root = dir / "objects";
  o.public_base_url = "http://127.0.0.1:8080";
  o.link_secret = "0123456789abcdef0123456789abcdef";
  return std::make_unique<localfs::LocalFsObjectStore>(o);
}
size_t LocalFsTempFiles(const fs::path& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir / "objects" / ".tmp", ec); !ec && it != fs::directory_iterator(); ++it)
    ++n;
  return n;
}

// Bytes with every value 0..255, so encodings and text modes would show.
std::string Pattern(size_t n, unsigned seed = 7) {
  std::string s(n, '\0');
  unsigned x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>((x >> 16) & 0xFF);
  }
  return s;
}

class ObjectStoreContract : public ::testing::TestWithParam<ObjectStoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    ASSERT_TRUE(store_);
    Status st = store_->Prepare();
    ASSERT_TRUE(st.ok()) << st.message();
  }

  static std::string Key() { return "files/" + NewId(); }

  // Puts `bytes` in chunks of `chunk` bytes and commits.
  Result<ObjectInfo> Put(const std::string& key, const std::string& bytes, const ObjectMeta& meta = {},
                         size_t chunk = 64 * 1024) {
    auto w = store_->BeginPut(key, meta);
    if (!w.ok()) return w.status();
    for (size_t i = 0; i < bytes.size(); i += chunk) {
      Status st = (*w)->Write(std::string_view(bytes).substr(i, chunk));
      if (!st.ok()) return st;
    }
    return (*w)->Commit();
  }

  // Reads everything the reader gives, in small steps.
  static Result<std::string> ReadAll(ObjectReader& r) {
    std::string out;
    char buf[4096];
    for (int guard = 0; guard < 1'000'000; ++guard) {
      auto n = r.Read(buf, sizeof buf);
      if (!n.ok()) return n.status();
      if (*n == 0) return out;
      out.append(buf, *n);
    }
    return Internal("endless", "reader never ended");
  }

  Result<std::string> GetAll(const std::string& key, std::optional<ByteRange> range = std::nullopt) {
    auto r = store_->Get(key, range);
    if (!r.ok()) return r.status();
    return ReadAll(**r);
  }

  void ExpectNoPartialUploads() {
    if (GetParam().partial_uploads) {
      EXPECT_EQ(GetParam().partial_uploads(dir_.path()), 0u);
    }
  }

  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreContract, PreparedStoreAnswersPingAndNamesItsBucket) {
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_FALSE(store_->Bucket().empty());
  EXPECT_TRUE(store_->Prepare().ok());  // preparing again is harmless
}

TEST_P(ObjectStoreContract, CommittedObjectHasItsSizeAndMetadata) {
  const std::string key = Key();
  const std::string bytes = Pattern(300'000);
  ObjectMeta meta{{"arca-id", NewId()},
                  {"arca-owner", NewId()},
                  {"arca-name", PercentEncode("relatório final (2) \"ção\".pdf")},
                  {"arca-folder", PercentEncode("relatórios/2026 q4")},
                  {"arca-project", ""}};
  auto info = Put(key, bytes, meta, 10'000);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, 300'000);

  auto head = store_->Head(key);
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_EQ(head->key, key);
  EXPECT_EQ(head->size, 300'000);
  for (const auto& [k, v] : meta) {
    if (v.empty()) continue;  // S3 may drop empty values; nothing reads them back
    ASSERT_TRUE(head->meta.count(k)) << k;
    EXPECT_EQ(head->meta.at(k), v) << k;
  }
  EXPECT_EQ(PercentDecode(head->meta.at("arca-name")), "relatório final (2) \"ção\".pdf");
}

TEST_P(ObjectStoreContract, GetReturnsExactlyTheCommittedBytes) {
  const std::string key = Key();
  const std::string bytes = Pattern(1'000'003);
  ASSERT_TRUE(Put(key, bytes, {}, 65'521).ok());
  auto got = GetAll(key);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->size(), bytes.size());
  EXPECT_TRUE(*got == bytes);
}

TEST_P(ObjectStoreContract, RangedGetReturnsExactlyThatSlice) {
  const std::string key = Key();
  const std::string bytes = Pattern(100'000);
  ASSERT_TRUE(Put(key, bytes).ok());
  const std::vector<ByteRange> ranges{{0, 1}, {0, 10}, {99'999, 1}, {12'345, 54'321}, {50'000, 50'000}, {0, 100'000}};
  for (const ByteRange& r : ranges) {
    SCOPED_TRACE(::testing::Message() << "range " << r.first << "+" << r.length);
    auto got = GetAll(key, r);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_TRUE(*got == bytes.substr(static_cast<size_t>(r.first), static_cast<size_t>(r.length)));
  }
}

TEST_P(ObjectStoreContract, EmptyObjectRoundTrips) {
  const std::string key = Key();
  ASSERT_TRUE(Put(key, "").ok());
  auto head = store_->Head(key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 0);
  auto got = GetAll(key);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_P(ObjectStoreContract, NothingIsVisibleBeforeCommit) {
  const std::string key = Key();
  auto w = store_->BeginPut(key, {{"arca-id", "x"}});
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->Write(Pattern(5000)).ok());
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(key, std::nullopt).status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_TRUE(store_->Head(key).ok());
}

TEST_P(ObjectStoreContract, AbortLeavesNothingBehind) {
  const std::string key = Key();
  {
    auto w = store_->BeginPut(key, {{"arca-id", "x"}});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Pattern(70'000)).ok());
    (*w)->Abort();
    (*w)->Abort();  // twice is harmless
  }
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(key, std::nullopt).status().kind(), ErrorKind::kNotFound);
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, WriterDestroyedWithoutCommitLeavesNothingBehind) {
  const std::string key = Key();
  {
    auto w = store_->BeginPut(key, {{"arca-id", "x"}});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Pattern(70'000)).ok());
  }
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, CommitLeavesNoPartialUpload) {
  ASSERT_TRUE(Put(Key(), Pattern(1000)).ok());
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, DeleteRemovesTheObjectAndCanBeRepeated) {
  const std::string key = Key();
  ASSERT_TRUE(Put(key, Pattern(100), {{"arca-id", "x"}}).ok());
  ASSERT_TRUE(store_->Delete(key).ok());
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(key, std::nullopt).status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store_->Delete(key).ok());
  EXPECT_TRUE(store_->Delete(Key()).ok());  // never existed
}

TEST_P(ObjectStoreContract, DeletedKeyCanBeWrittenAgain) {
  const std::string key = Key();
  ASSERT_TRUE(Put(key, "first", {{"arca-id", "1"}}).ok());
  ASSERT_TRUE(store_->Delete(key).ok());
  ASSERT_TRUE(Put(key, "second!", {{"arca-id", "2"}}).ok());
  auto head = store_->Head(key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 7);
  EXPECT_EQ(head->meta["arca-id"], "2");
  EXPECT_EQ(*GetAll(key), "second!");
}

TEST_P(ObjectStoreContract, HeadAndGetOfAbsentKeyAreNotFound) {
  const std::string key = Key();
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(key, std::nullopt).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->Get(key, ByteRange{0, 1}).status().kind(), ErrorKind::kNotFound);
}

TEST_P(ObjectStoreContract, PresignedLinkExpiresAfterTheTtl) {
  const std::string key = Key();
  ASSERT_TRUE(Put(key, "hello").ok());
  DownloadOptions opts;
  opts.ttl = std::chrono::seconds(600);
  opts.filename = "relatório final.pdf";
  opts.content_type = "application/pdf";
  const std::int64_t before = NowMicros() / 1'000'000;
  auto link = store_->PresignGet(key, opts);
  const std::int64_t after = NowMicros() / 1'000'000;
  ASSERT_TRUE(link.ok()) << link.status().message();
  EXPECT_TRUE(link->url.starts_with("http://") || link->url.starts_with("https://")) << link->url;
  EXPECT_GE(link->expires_at, before + 600 - 2);
  EXPECT_LE(link->expires_at, after + 600 + 2);

  opts.ttl = std::chrono::seconds(60);
  auto shorter = store_->PresignGet(key, opts);
  ASSERT_TRUE(shorter.ok());
  EXPECT_LT(shorter->expires_at, link->expires_at);
  EXPECT_NE(shorter->url, link->url);
}

TEST_P(ObjectStoreContract, ConcurrentWritersToDifferentKeysDoNotMix) {
  const std::string k1 = Key(), k2 = Key();
  auto w1 = store_->BeginPut(k1, {});
  auto w2 = store_->BeginPut(k2, {});
  ASSERT_TRUE(w1.ok() && w2.ok());
  const std::string a = Pattern(30'000, 1), b = Pattern(30'000, 2);
  for (size_t i = 0; i < a.size(); i += 1000) {
    ASSERT_TRUE((*w1)->Write(std::string_view(a).substr(i, 1000)).ok());
    ASSERT_TRUE((*w2)->Write(std::string_view(b).substr(i, 1000)).ok());
  }
  ASSERT_TRUE((*w2)->Commit().ok());
  ASSERT_TRUE((*w1)->Commit().ok());
  EXPECT_TRUE(*GetAll(k1) == a);
  EXPECT_TRUE(*GetAll(k2) == b);
}

// Larger than one S3 part (8 MiB), so multipart uploads are exercised.
TEST_P(ObjectStoreContract, ObjectSpanningSeveralPartsRoundTrips) {
  const std::string key = Key();
  const std::string bytes = Pattern(20 * 1024 * 1024 + 12345);
  auto info = Put(key, bytes, {{"arca-id", "x"}}, 1 << 20);
  ASSERT_TRUE(info.ok()) << info.status().message();
  auto head = store_->Head(key);
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_EQ(head->size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(head->meta.at("arca-id"), "x");
  auto tail = store_->Get(key, ByteRange{static_cast<std::int64_t>(bytes.size()) - 100000, 100000});
  ASSERT_TRUE(tail.ok());
  auto got = ReadAll(**tail);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, bytes.substr(bytes.size() - 100000));
  if (GetParam().partial_uploads) {
    EXPECT_EQ(GetParam().partial_uploads(dir_.path()), 0u);
  }
}

TEST_P(ObjectStoreContract, AbandonedLargeUploadLeavesNoPartsAndNoObject) {
  const std::string key = Key();
  {
    auto w = store_->BeginPut(key, {});
    ASSERT_TRUE(w.ok());
    const std::string chunk = Pattern(1 << 20);
    for (int i = 0; i < 18; ++i) ASSERT_TRUE((*w)->Write(chunk).ok());
    // Dropped without Commit: what a client that vanishes mid-upload causes.
  }
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  if (GetParam().partial_uploads) {
    EXPECT_EQ(GetParam().partial_uploads(dir_.path()), 0u);
  }
}

// Sized puts: the exact length is known up front (a raw upload's Content-Length).
TEST_P(ObjectStoreContract, SizedPutRoundTrips) {
  const std::string key = Key();
  const std::string bytes = Pattern(20 * 1024 * 1024 + 3);
  auto w = store_->BeginSizedPut(key, {{"arca-id", "sized"}}, bytes.size());
  ASSERT_TRUE(w.ok()) << w.status().message();
  for (size_t i = 0; i < bytes.size(); i += 1 << 20)
    ASSERT_TRUE((*w)->Write(std::string_view(bytes).substr(i, 1 << 20)).ok());
  const bool hashes = (*w)->HashesContent();
  auto info = (*w)->Commit();
  ASSERT_TRUE(info.ok()) << info.status().message();
  // A writer that hashes reports the digest the store checked; others none.
  EXPECT_EQ(info->sha256, hashes ? Sha256Hex(bytes) : "");
  auto head = store_->Head(key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(head->meta.at("arca-id"), "sized");
  auto r = store_->Get(key, ByteRange{1000, 5000});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*ReadAll(**r), bytes.substr(1000, 5000));
}

TEST_P(ObjectStoreContract, SizedPutThatEndsShortLeavesNothing) {
  const std::string key = Key();
  {
    auto w = store_->BeginSizedPut(key, {}, 20 * 1024 * 1024);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Pattern(10 * 1024 * 1024)).ok());
    EXPECT_FALSE((*w)->Commit().ok());
  }
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  if (GetParam().partial_uploads) {
    EXPECT_EQ(GetParam().partial_uploads(dir_.path()), 0u);
  }
}

// --- for the reconciler ---------------------------------------------------------

TEST_P(ObjectStoreContract, ListingIsInByteOrderPagedAndStaysUnderItsPrefix) {
  const auto before = NowMicros();
  for (const char* k : {"files/b", "files/a", "files/C", "files/a0", "files2/x", "other/y"})
    ASSERT_TRUE(Put(k, std::string(std::strlen(k), 'x')).ok()) << k;
  std::vector<StoredObject> seen;
  std::optional<std::string> next;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->List("files/", next, 2);
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_LE(page->items.size(), 2u);
    seen.insert(seen.end(), page->items.begin(), page->items.end());
    next = page->next;
    if (!next) break;
  }
  std::vector<std::string> keys;
  for (auto& o : seen) keys.push_back(o.key);
  // "files2/x" shares the first five letters but not the prefix "files/".
  EXPECT_EQ(keys, (std::vector<std::string>{"files/C", "files/a", "files/a0", "files/b"}));
  for (auto& o : seen) {
    EXPECT_EQ(o.size, static_cast<std::int64_t>(o.key.size())) << o.key;
    EXPECT_GT(o.modified_at, before - 3'600'000'000LL) << o.key;  // a plausible clock, to the hour
    EXPECT_LT(o.modified_at, NowMicros() + 3'600'000'000LL) << o.key;
  }
  auto empty = store_->List("nothing-here/", std::nullopt, 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  EXPECT_FALSE(empty->next.has_value());
}

TEST_P(ObjectStoreContract, UnfinishedUploadIsListedAndAbortingItLeavesNothing) {
  const std::string key = Key();
  auto w = store_->BeginPut(key, {{"arca-id", "x"}});
  ASSERT_TRUE(w.ok());
  // More than one S3 part, so the store has really begun a multipart upload.
  const std::string chunk(1 << 20, 'u');
  for (int i = 0; i < 9; ++i) ASSERT_TRUE((*w)->Write(chunk).ok());
  // An abandoned upload has no part on its way: let the one sent in the
  // background land (a part arriving after the abort would re-create the
  // upload on some servers, versitygw among them).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto open = store_->ListUnfinished("files/");
  ASSERT_TRUE(open.ok()) << open.status().message();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_GT(open->front().started_at, NowMicros() - 3'600'000'000LL);
  ASSERT_TRUE(store_->AbortUnfinished(open->front()).ok());
  ASSERT_TRUE(store_->AbortUnfinished(open->front()).ok());  // again: already gone is fine
  auto after = store_->ListUnfinished("files/");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  // The writer cannot commit what was aborted under it, and nothing appears.
  for (int i = 0; i < 1; ++i) (void)(*w)->Write(chunk);
  EXPECT_FALSE((*w)->Commit().ok());
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, SizedPutCutOffMidwayLeavesNothing) {
  const std::string key = Key();
  {
    auto w = store_->BeginSizedPut(key, {{"arca-id", "cut"}}, 20u << 20);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Pattern(9u << 20)).ok());
  }  // the client went away: destroyed without Commit
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the store see the request end
  EXPECT_EQ(store_->Head(key).status().kind(), ErrorKind::kNotFound);
  ExpectNoPartialUploads();
}

// --- create-only writes and copies (the named key layout) -------------------

TEST_P(ObjectStoreContract, CreateOnlyPutKeepsTheObjectAlreadyThere) {
  const std::string key = Key();
  ASSERT_TRUE(Put(key, "first", {{"arca-id", "1"}}).ok());
  auto w = store_->BeginPut(key, {{"arca-id", "2"}}, IfExists::kFail);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("second").ok());
  auto c = (*w)->Commit();
  EXPECT_EQ(c.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(c.status().code(), "object_exists");
  EXPECT_EQ(*GetAll(key), "first");
  EXPECT_EQ(store_->Head(key)->meta["arca-id"], "1");
  // The same refusal for an object big enough to stream: a store may
  // refuse as soon as it sees the request, so a write can fail already.
  auto big = store_->BeginSizedPut(key, {{"arca-id", "3"}}, 20u << 20, IfExists::kFail);
  ASSERT_TRUE(big.ok());
  Status written = (*big)->Write(Pattern(20u << 20));
  EXPECT_EQ(written.ok() ? (*big)->Commit().status().code() : written.code(), "object_exists");
  EXPECT_EQ(*GetAll(key), "first");
  ExpectNoPartialUploads();
  // A free key takes a create-only put like any other.
  const std::string fresh = Key();
  auto f = store_->BeginPut(fresh, {}, IfExists::kFail);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Write("new").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(*GetAll(fresh), "new");
}

TEST_P(ObjectStoreContract, OfTwoCreateOnlyPutsToOneKeyExactlyOneWins) {
  const std::string key = Key();
  auto w1 = store_->BeginPut(key, {{"arca-id", "1"}}, IfExists::kFail);
  auto w2 = store_->BeginPut(key, {{"arca-id", "2"}}, IfExists::kFail);
  ASSERT_TRUE(w1.ok() && w2.ok());
  ASSERT_TRUE((*w1)->Write("one").ok());
  ASSERT_TRUE((*w2)->Write("two").ok());
  Result<ObjectInfo> c1 = Internal("x", "x"), c2 = Internal("x", "x");
  std::thread t1([&] { c1 = (*w1)->Commit(); });
  std::thread t2([&] { c2 = (*w2)->Commit(); });
  t1.join();
  t2.join();
  ASSERT_NE(c1.ok(), c2.ok()) << c1.status().message() << " / " << c2.status().message();
  EXPECT_EQ(*GetAll(key), c1.ok() ? "one" : "two");
}

TEST_P(ObjectStoreContract, CopyKeepsTheBytesAndTakesTheNewMetadata) {
  const std::string from = Key(), to = "users/alice/relatório ação (1) 100%.pdf";
  const std::string bytes = Pattern(300'001);
  ASSERT_TRUE(Put(from, bytes, {{"arca-id", "f1"}, {"arca-name", "old"}}).ok());
  auto copied = store_->Copy(from, to, {{"arca-id", "f1"}, {"arca-name", "new"}});
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_EQ(copied->size, 300'001);
  EXPECT_EQ(*GetAll(to), bytes);
  auto head = store_->Head(to);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->meta["arca-name"], "new");
  EXPECT_EQ(*GetAll(from), bytes);  // a copy, not a move
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, CopyNeverReplacesAndNeedsItsSource) {
  const std::string from = Key(), to = Key();
  ASSERT_TRUE(Put(from, "source", {{"arca-id", "a"}}).ok());
  ASSERT_TRUE(Put(to, "taken", {{"arca-id", "b"}}).ok());
  auto c = store_->Copy(from, to, {{"arca-id", "a"}});
  EXPECT_EQ(c.status().code(), "object_exists");
  EXPECT_EQ(*GetAll(to), "taken");
  EXPECT_EQ(store_->Head(to)->meta["arca-id"], "b");
  EXPECT_EQ(store_->Copy(Key(), Key(), {}).status().kind(), ErrorKind::kNotFound);
  ExpectNoPartialUploads();
}

TEST_P(ObjectStoreContract, EmptyObjectsCopyToo) {
  const std::string from = Key(), to = Key();
  ASSERT_TRUE(Put(from, "").ok());
  auto c = store_->Copy(from, to, {{"arca-id", "e"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(*GetAll(to), "");
}

TEST_P(ObjectStoreContract, NamedKeysWithUsersWordsRoundTripAndListInByteOrder) {
  // What the named layout makes of users' names: UTF-8, spaces, brackets, escapes.
  const std::vector<std::string> keys{"users/alice/ação.txt", "users/alice/a b (2).txt", "users/alice/docs/%2Ehidden",
                                      "users/alice/docs/2026/relatório.pdf", "users/alice/Zeta", "users/alice/a-b"};
  for (auto& k : keys) ASSERT_TRUE(Put(k, k).ok()) << k;
  for (auto& k : keys) EXPECT_EQ(*GetAll(k), k) << k;
  std::vector<std::string> listed;
  std::optional<std::string> next;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->List("users/alice/", next, 4);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (auto& o : page->items) listed.push_back(o.key);
    next = page->next;
    if (!next) break;
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());  // byte order, as S3 lists
  EXPECT_EQ(listed, sorted);
  for (auto& k : keys) ASSERT_TRUE(store_->Delete(k).ok());
  EXPECT_EQ(store_->Head(keys[0]).status().kind(), ErrorKind::kNotFound);
}

// --- adapters ------------------------------------------------------------------

// S3: a bucket per test dir on the server named by ARCA_TEST_STORAGE_URL
// (scripts/test starts versitygw), created by Prepare.
const char* S3Env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}
std::string BucketFor(const fs::path& dir) {
  std::string b = "c-";
  for (char ch : dir.filename().string())
    if (std::isalnum(static_cast<unsigned char>(ch))) b.push_back(static_cast<char>(std::tolower(ch)));
  return b;
}
std::unique_ptr<ObjectStore> OpenS3(const fs::path& dir) {
  std::string url = S3Env("ARCA_TEST_STORAGE_URL");
  url = "s3://" + BucketFor(dir) + url.substr(url.find('?'));
  auto cfg = s3::ParseStorageUrl(url, S3Env("ARCA_TEST_S3_ACCESS_KEY"), S3Env("ARCA_TEST_S3_SECRET_KEY"));
  if (!cfg.ok()) return nullptr;
  return std::make_unique<s3::S3ObjectStore>(*cfg, 5ULL << 30);
}
size_t S3PartialUploads(const fs::path& dir) {
  auto store = OpenS3(dir);
  auto n = static_cast<s3::S3ObjectStore&>(*store).client().CountMultipartUploads("");
  return n.ok() ? static_cast<size_t>(*n) : 999;
}

std::vector<ObjectStoreFactory> Factories() {
  std::vector<ObjectStoreFactory> f{{"LocalFs", OpenLocalFs, LocalFsTempFiles}};
  if (S3Env("ARCA_TEST_STORAGE_URL")) f.push_back({"S3", OpenS3, S3PartialUploads});
  return f;
}

INSTANTIATE_TEST_SUITE_P(Adapters, ObjectStoreContract, ::testing::ValuesIn(Factories()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace arca
