// ObjectStore on any S3 API server (MinIO, AWS S3, Ceph RGW, versitygw).
// Uploads of known size (up to 5 GiB) stream in one PutObject where the
// store takes it (Prepare tries); others go into multipart parts (two parts
// in memory at most), and small files in one PutObject. Downloads are
// presigned GETs straight to the store.
#pragma once

#include "adapters/s3/s3_client.hpp"
#include "ports/object_store.hpp"

namespace arca::s3 {

class S3ObjectStore : public ObjectStore {
 public:
  // `max_object` sizes the parts so the largest allowed upload fits S3's
  // 10,000-part limit; parts are never under 8 MiB.
  S3ObjectStore(S3Config cfg, std::uint64_t max_object);

  Status Prepare() override;
  Status Ping() override;
  std::string Bucket() const override { return client_.config().bucket; }
  Result<std::unique_ptr<ObjectWriter>> BeginPut(const std::string& key, const ObjectMeta& meta,
                                                 IfExists if_exists = IfExists::kReplace) override;
  // Up to 5 GiB: one streamed PutObject (see S3StreamingPut), when the store
  // took the one Prepare tried; larger, or on other stores: multipart.
  Result<std::unique_ptr<ObjectWriter>> BeginSizedPut(const std::string& key, const ObjectMeta& meta,
                                                      std::uint64_t size,
                                                      IfExists if_exists = IfExists::kReplace) override;
  Result<ObjectInfo> Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<std::unique_ptr<ObjectReader>> Get(const std::string& key, std::optional<ByteRange> range) override;
  Status Delete(const std::string& key) override;
  Result<PresignedLink> PresignGet(const std::string& key, const DownloadOptions& opts) override;
  Result<ObjectListing> List(const std::string& prefix, const std::optional<std::string>& next, size_t max) override;
  Result<std::vector<UnfinishedUpload>> ListUnfinished(const std::string& prefix) override;
  Status AbortUnfinished(const UnfinishedUpload& upload) override;

  S3Client& client() { return client_; }
  size_t part_size() const { return part_size_; }
  // UploadPartCopy range size for copies (S3 allows up to 5 GiB); tests
  // make it small to cover the several-part path.
  void set_copy_part_bytes(std::int64_t n) { copy_part_bytes_ = n; }

 private:
  Status ProbeStreamedPut();

  S3Client client_;
  size_t part_size_;
  bool streamed_puts_ = true;  // until Prepare's probe says otherwise
  std::int64_t copy_part_bytes_ = 1LL << 30;
};


}  // namespace arca::s3
