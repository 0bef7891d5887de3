// The S3 calls Arca needs, on our own HTTP client and SigV4 signer: objects,
// multipart uploads, listing, copies and presigned GETs. Retries with
// jittered backoff on 5xx, SlowDown and dropped connections; every failure
// says whether a retry can help (Status::retryable()).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "adapters/s3/http_client.hpp"
#include "adapters/s3/sigv4_signer.hpp"
#include "ports/object_store.hpp"

namespace arca::s3 {

struct S3Config {
  std::string bucket;
  Endpoint endpoint;
  std::string region = "us-east-1";
  bool path_style = true;  // http://host/bucket/key; false: http://bucket.host/key
  Credentials credentials;
  std::chrono::seconds timeout{60};
  int max_attempts = 4;
  bool verify_tls = true;
};

// s3://BUCKET?endpoint=http://host:port&region=us-east-1[&addressing=path|virtual][&verify_tls=false]
Result<S3Config> ParseStorageUrl(const std::string& url, const std::string& access_key, const std::string& secret_key);

struct ListedObject {
  std::string key;
  std::int64_t size = 0;
  std::string etag;
  Micros modified_at = 0;
};
struct MultipartUpload {
  std::string key;
  std::string upload_id;
  Micros initiated = 0;
};
struct ListPage {
  std::vector<ListedObject> objects;
  std::optional<std::string> next_token;
};

// A PutObject whose body streams as it arrives, for objects whose size is
// known (up to S3's 5 GiB): one request, so the store writes the bytes once
// (a multipart upload writes them twice on servers that assemble parts).
// The body goes aws-chunked (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with a
// CRC-32C trailer: a body cut off mid-way is an incomplete request the store
// refuses, never a short object, and the store checks the checksum (a
// SHA-256 trailer cost the store a second hash of every byte). Destroying it before Finish drops the request. Not
// retried: the bytes are gone once sent.
class S3StreamingPut {
 public:
  virtual ~S3StreamingPut() = default;
  // More bytes than announced: kInvalidArgument "size_mismatch".
  virtual Status Write(std::string_view bytes) = 0;
  // Fewer bytes than announced: kInvalidArgument "size_mismatch" (nothing
  // stored). Returns the body's SHA-256 (lowercase hex), computed as it passed.
  virtual Result<std::string> Finish() = 0;
};

class S3Client {
 public:
  explicit S3Client(S3Config cfg);
  const S3Config& config() const { return cfg_; }

  Status HeadBucket();
  Status CreateBucket();
  // if_absent: `If-None-Match: *`, kConflict "object_exists" when the key is taken.
  Status PutObject(const std::string& key, std::string_view body, const ObjectMeta& meta, bool if_absent = false);
  Result<std::string> CreateMultipartUpload(const std::string& key, const ObjectMeta& meta);  // upload id
  Result<std::string> UploadPart(const std::string& key, const std::string& upload_id, int part,
                                 std::string_view body);  // ETag
  Status CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                 const std::vector<std::string>& etags, bool if_absent = false);
  Status AbortMultipartUpload(const std::string& key, const std::string& upload_id);
  // `chunk_bytes`: the aws-chunked frame size. Nothing is buffered: the
  // caller's bytes are sent as they come, framed on the way.
  Result<std::unique_ptr<S3StreamingPut>> BeginStreamingPut(const std::string& key, const ObjectMeta& meta,
                                                            std::uint64_t size, bool if_absent,
                                                            size_t chunk_bytes = 1 << 20);
  Result<ObjectInfo> HeadObject(const std::string& key);
  // Reads [first, first+length) into memory; for bounded reads only.
  Result<std::string> GetObjectRange(const std::string& key, std::int64_t first, std::int64_t length);
  Status DeleteObject(const std::string& key);  // absent objects are a success
  // Server-side copy, metadata included. Objects over `multipart_from` bytes
  // (S3 caps CopyObject at 5 GiB) are copied with UploadPartCopy in
  // `part_bytes` ranges.
  Status CopyObject(const std::string& from_key, const std::string& to_key,
                    std::int64_t multipart_from = 5LL << 30, std::int64_t part_bytes = 1LL << 30);
  // A copy that gets `meta` and never replaces an object: always
  // UploadPartCopy (`part_bytes` ranges, at most S3's 5 GiB) completed with
  // `If-None-Match: *`; kConflict "object_exists" when `to_key` is taken.
  Status CopyObjectIfAbsent(const std::string& from_key, const std::string& to_key, const ObjectMeta& meta,
                            std::int64_t part_bytes = 1LL << 30);
  // Multipart uploads started and neither completed nor aborted (all pages).
  Result<std::vector<MultipartUpload>> ListMultipartUploads(const std::string& prefix);
  Result<int> CountMultipartUploads(const std::string& prefix);
  Result<ListPage> ListObjects(const std::string& prefix, const std::optional<std::string>& token, int max_keys);
  // A GET anyone can use until it expires; `response` holds response-* overrides.
  std::string PresignGet(const std::string& key, std::vector<std::pair<std::string, std::string>> response,
                         std::chrono::seconds ttl, Micros now) const;

 private:
  struct Call {
    std::string method;
    std::string key;  // "" for bucket calls
    std::vector<std::pair<std::string, std::string>> query;
    HeaderList headers;
    std::string_view body;
    size_t max_body = 1 << 20;
  };
  // Signs and sends, retrying what may succeed later. Non-2xx answers
  // become a Status with the S3 error code in the message.
  Result<HttpResponse> Send(const Call& call);
  // The target and signed headers of one request (Host is the client's).
  std::pair<std::string, HeaderList> Signed(const Call& call, const std::string& payload_hash) const;
  Endpoint HostFor() const;
  std::string CopySource(const std::string& key) const;
  Status CopyByParts(const std::string& from_key, std::int64_t size, const std::string& to_key,
                     const ObjectMeta& meta, std::int64_t part_bytes, bool if_absent);
  std::string PathFor(const std::string& key) const;

  S3Config cfg_;
  HttpClient http_;
};

}  // namespace arca::s3
