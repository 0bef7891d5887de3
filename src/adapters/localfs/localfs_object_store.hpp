// ObjectStore on the local disk: the embedded default. Each object is a file
// under the root named by its key, written to a temporary file first and
// renamed into place on commit, so a half-written object is never visible.
// Object metadata sits beside it in "<key>.meta.json".
#pragma once

#include <filesystem>

#include "ports/object_store.hpp"

namespace arca::localfs {

struct LocalFsOptions {
  std::filesystem::path root;
  std::string public_base_url;  // "http://127.0.0.1:8080": where Arca serves /blob links
  std::string link_secret;      // HMAC key for download links
};

class LocalFsObjectStore : public ObjectStore {
 public:
  explicit LocalFsObjectStore(LocalFsOptions opts) : opts_(std::move(opts)) {}

  Status Prepare() override;
  Status Ping() override;
  std::string Bucket() const override { return "local"; }
  Result<std::unique_ptr<ObjectWriter>> BeginPut(const std::string& key, const ObjectMeta& meta,
                                                 IfExists if_exists = IfExists::kReplace) override;
  Result<ObjectInfo> Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<std::unique_ptr<ObjectReader>> Get(const std::string& key, std::optional<ByteRange> range) override;
  Status Delete(const std::string& key) override;
  Result<PresignedLink> PresignGet(const std::string& key, const DownloadOptions& opts) override;
  Result<ObjectListing> List(const std::string& prefix, const std::optional<std::string>& next, size_t max) override;
  Result<std::vector<UnfinishedUpload>> ListUnfinished(const std::string& prefix) override;
  Status AbortUnfinished(const UnfinishedUpload& upload) override;

  // Set once before serving, when the listening port is known (port 0 picks one).
  void SetPublicBaseUrl(std::string url) { opts_.public_base_url = std::move(url); }

  // The directory for in-progress writes; anything left there is garbage.
  std::filesystem::path TempDir() const { return opts_.root / ".tmp"; }
  // Serialises create-only commits across processes (flock). Outside
  // TempDir, whose files all count as unfinished uploads; ".tmp…" keeps it
  // out of every listing of keys.
  std::filesystem::path CreateLock() const { return opts_.root / ".tmp-create.lock"; }

 private:
  Result<std::filesystem::path> PathOf(const std::string& key) const;
  LocalFsOptions opts_;
};

// Keys are '/'-separated segments of 1..255 bytes with no control bytes or
// backslashes, none "." or "..", none of ours (".tmp…", "….meta.json").
bool IsSafeKey(std::string_view key);

}  // namespace arca::localfs
