// ObjectStore: the bytes. Adapters: localfs (embedded), s3.
// Keys come from Arca (never from user input). All methods are thread-safe;
// one ObjectWriter or ObjectReader is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace arca {

// Facts stored with the object itself (S3 user metadata), enough to rebuild
// a lost row: id, owner, original name, folder, project.
using ObjectMeta = std::map<std::string, std::string>;

struct ObjectInfo {
  std::string key;
  std::int64_t size = 0;
  std::string etag;
  ObjectMeta meta;
  std::string sha256 = {};  // lowercase hex, from a writer that HashesContent(); else empty
};

// Streams one new object. Nothing is visible under the key until Commit
// succeeds; Abort (or destruction without Commit) leaves nothing behind.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Write(std::string_view bytes) = 0;
  virtual Result<ObjectInfo> Commit() = 0;
  virtual void Abort() = 0;
  // True when the writer computes the SHA-256 of the bytes itself (and its
  // store checks it) and Commit reports it in ObjectInfo::sha256: the
  // caller need not hash them a second time.
  virtual bool HashesContent() const { return false; }
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Fills up to `max` bytes; 0 means the end of the requested range.
  virtual Result<size_t> Read(char* buf, size_t max) = 0;
};

struct ByteRange {
  std::int64_t first = 0;
  std::int64_t length = 0;
};

struct DownloadOptions {
  std::chrono::seconds ttl{300};
  std::string filename;      // original name, for Content-Disposition: attachment
  std::string content_type;
};

// One entry of a listing, in the store's byte order of keys.
struct StoredObject {
  std::string key;
  std::int64_t size = 0;
  std::string etag;
  std::int64_t modified_at = 0;  // microseconds since the Unix epoch
};
struct ObjectListing {
  std::vector<StoredObject> items;
  std::optional<std::string> next;  // pass back for the next page; absent on the last
};
// An upload begun and neither committed nor aborted (an S3 multipart
// upload; a staged temp file), which costs storage and shows nowhere.
struct UnfinishedUpload {
  std::string key;
  std::string id;                // the store's handle (upload id, temp file name)
  std::int64_t started_at = 0;   // microseconds since the Unix epoch
};

// What a put does when the key already holds an object. kFail is the
// store's own create-only check (S3 `If-None-Match: *`), atomic even
// between processes: Commit fails with kConflict "object_exists".
enum class IfExists { kReplace, kFail };

struct PresignedLink {
  std::string url;
  std::int64_t expires_at = 0;  // Unix seconds
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Creates the bucket or directory if missing.
  virtual Status Prepare() = 0;
  virtual Status Ping() = 0;
  // The bucket name recorded in rows and events.
  virtual std::string Bucket() const = 0;

  virtual Result<std::unique_ptr<ObjectWriter>> BeginPut(const std::string& key, const ObjectMeta& meta,
                                                         IfExists if_exists = IfExists::kReplace) = 0;
  // The same, when the object's exact size is known up front: a store may
  // then stream it in one request. Writing more or fewer bytes than `size`
  // makes Commit fail (and leaves nothing behind).
  // The default wraps BeginPut in a writer that holds the size to its word.
  virtual Result<std::unique_ptr<ObjectWriter>> BeginSizedPut(const std::string& key, const ObjectMeta& meta,
                                                              std::uint64_t size,
                                                              IfExists if_exists = IfExists::kReplace);
  // kNotFound when absent.
  virtual Result<ObjectInfo> Head(const std::string& key) = 0;
  // kNotFound when absent. With a range, reads exactly that slice.
  virtual Result<std::unique_ptr<ObjectReader>> Get(const std::string& key, std::optional<ByteRange> range) = 0;
  // A server-side copy of `from` to `to`, which gets `meta` as its own
  // metadata; create-only: kConflict "object_exists" when `to` holds an
  // object, kNotFound when `from` does not. A physical rename's first step.
  virtual Result<ObjectInfo> Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) = 0;
  // Absent objects are a success, so deletes can be repeated.
  virtual Status Delete(const std::string& key) = 0;
  // Keys under `prefix`, `max` at most per page, in byte order of keys
  // (what S3's ListObjectsV2 gives), for the reconciler's streaming merge.
  virtual Result<ObjectListing> List(const std::string& prefix, const std::optional<std::string>& next,
                                     size_t max) = 0;
  virtual Result<std::vector<UnfinishedUpload>> ListUnfinished(const std::string& prefix) = 0;
  // Absent uploads are a success.
  virtual Status AbortUnfinished(const UnfinishedUpload& upload) = 0;
  // A link a client can fetch without a token until it expires. Pure
  // computation (signing), no I/O: the download route calls it on the
  // server's event loop.
  virtual Result<PresignedLink> PresignGet(const std::string& key, const DownloadOptions& opts) = 0;
};

// Enforces an announced size on any writer: more bytes fail the Write, fewer
// fail the Commit; either way the inner writer is aborted.
class SizeCheckedWriter : public ObjectWriter {
 public:
  SizeCheckedWriter(std::unique_ptr<ObjectWriter> inner, std::uint64_t size) : inner_(std::move(inner)), size_(size) {}
  Status Write(std::string_view bytes) override {
    if (written_ + bytes.size() > size_) {
      inner_->Abort();
      return InvalidArgument("size_mismatch", "more bytes than the declared length");
    }
    written_ += bytes.size();
    return inner_->Write(bytes);
  }
  Result<ObjectInfo> Commit() override {
    if (written_ != size_) {
      inner_->Abort();
      return InvalidArgument("size_mismatch", "fewer bytes than the declared length");
    }
    return inner_->Commit();
  }
  void Abort() override { inner_->Abort(); }

 private:
  std::unique_ptr<ObjectWriter> inner_;
  std::uint64_t size_;
  std::uint64_t written_ = 0;
};

inline Result<std::unique_ptr<ObjectWriter>> ObjectStore::BeginSizedPut(const std::string& key,
                                                                        const ObjectMeta& meta, std::uint64_t size,
                                                                        IfExists if_exists) {
  auto w = BeginPut(key, meta, if_exists);
  if (!w.ok()) return w.status();
  return std::unique_ptr<ObjectWriter>(new SizeCheckedWriter(std::move(w).value(), size));
}

}  // namespace arca
