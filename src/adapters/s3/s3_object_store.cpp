#include "adapters/s3/s3_object_store.hpp"

#include <cstring>
#include <chrono>
#include <future>
#include <thread>

#include "app/log.hpp"
#include "core/ids.hpp"
#include "core/names.hpp"
#include "core/time.hpp"

namespace arca::s3 {
namespace {

constexpr size_t kMinPart = 8u << 20;
constexpr size_t kMaxParts = 9000;  // below S3's 10,000, with room to spare
constexpr std::uint64_t kMaxSinglePut = 5ULL << 30;  // S3's PutObject limit

class S3Writer : public ObjectWriter {
 public:
  S3Writer(S3Client& c, std::string key, ObjectMeta meta, size_t part_size, IfExists if_exists)
      : c_(c),
        key_(std::move(key)),
        meta_(std::move(meta)),
        part_size_(part_size),
        if_absent_(if_exists == IfExists::kFail) {
    part_.reserve(part_size_);
  }
  ~S3Writer() override { Abort(); }

  Status Write(std::string_view bytes) override {
    if (done_) return Internal("storage_closed", "write to a closed object");
    while (!bytes.empty()) {
      size_t take = std::min(bytes.size(), part_size_ - part_.size());
      part_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      size_ += static_cast<std::int64_t>(take);
      if (part_.size() == part_size_) ARCA_RETURN_IF_ERROR(FlushPart());
    }
    return Status::Ok();
  }

  Result<ObjectInfo> Commit() override {
    if (done_) return Internal("storage_closed", "commit of a closed object");
    if (Status st = Finish(); !st.ok()) {
      Abort();  // no parts are left behind (a create-only write that lost, a store error)
      return st;
    }
    done_ = true;
    committed_ = true;
    std::string().swap(part_);
    return ObjectInfo{key_, size_, "", meta_};
  }

  void Abort() override {
    if (committed_ || aborted_) return;
    aborted_ = true;
    done_ = true;
    (void)WaitForInFlight();  // the part's thread uses this writer's buffers
    // An abandoned multipart upload keeps its parts (and their cost) until
    // aborted; the reconciler catches any abort that fails here.
    if (!upload_id_.empty()) (void)c_.AbortMultipartUpload(key_, upload_id_);
    std::string().swap(part_);
  }

 private:
  Status Finish() {
    // Fits in one part: one request, no multipart bookkeeping.
    if (upload_id_.empty()) return c_.PutObject(key_, part_, meta_, if_absent_);
    if (!part_.empty()) ARCA_RETURN_IF_ERROR(FlushPart());
    ARCA_RETURN_IF_ERROR(WaitForInFlight());
    return c_.CompleteMultipartUpload(key_, upload_id_, etags_, if_absent_);
  }

  // Sends the full part in the background and goes back to receiving: the
  // client's bytes and the store's upload overlap, with at most two parts in
  // memory (the one being sent, the one being filled).
  Status FlushPart() {
    ARCA_RETURN_IF_ERROR(WaitForInFlight());
    if (upload_id_.empty()) {
      auto id = c_.CreateMultipartUpload(key_, meta_);
      if (!id.ok()) return id.status();
      upload_id_ = *id;
    }
    const int number = static_cast<int>(etags_.size() + 1);
    etags_.emplace_back();
    sending_ = std::move(part_);
    part_ = std::string();
    part_.reserve(part_size_);
    in_flight_ = std::async(std::launch::async, [this, number] {
      auto etag = c_.UploadPart(key_, upload_id_, number, sending_);
      if (!etag.ok()) return etag.status();
      etags_[static_cast<size_t>(number - 1)] = *etag;
      return Status::Ok();
    });
    return Status::Ok();
  }

  Status WaitForInFlight() {
    if (!in_flight_.valid()) return Status::Ok();
    Status st = in_flight_.get();
    std::string().swap(sending_);
    return st;
  }

  S3Client& c_;
  std::string key_;
  ObjectMeta meta_;
  size_t part_size_;
  bool if_absent_;
  std::string part_;
  std::string sending_;  // the part in flight, owned until its upload ends
  std::future<Status> in_flight_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  std::int64_t size_ = 0;
  bool done_ = false, committed_ = false, aborted_ = false;
};

// An object of known size (at most 5 GiB) in one streamed PutObject.
class StreamingWriter : public ObjectWriter {
 public:
  StreamingWriter(std::unique_ptr<S3StreamingPut> put, std::string key, ObjectMeta meta, std::uint64_t size)
      : put_(std::move(put)), key_(std::move(key)), meta_(std::move(meta)), size_(size) {}
  Status Write(std::string_view bytes) override {
    if (!put_) return Internal("storage_closed", "write to a closed object");
    Status st = put_->Write(bytes);
    if (!st.ok()) put_.reset();
    return st;
  }
  Result<ObjectInfo> Commit() override {
    if (!put_) return Internal("storage_closed", "commit of a closed object");
    auto digest = put_->Finish();
    put_.reset();
    if (!digest.ok()) return digest.status();
    return ObjectInfo{key_, static_cast<std::int64_t>(size_), "", meta_, *digest};
  }
  void Abort() override { put_.reset(); }  // the request never ends: the store keeps nothing
  bool HashesContent() const override { return true; }

 private:
  std::unique_ptr<S3StreamingPut> put_;
  std::string key_;
  ObjectMeta meta_;
  std::uint64_t size_;
};

// Reads a range in bounded chunks, one GET per chunk.
class S3Reader : public ObjectReader {
 public:
  S3Reader(S3Client& c, std::string key, std::int64_t first, std::int64_t length)
      : c_(c), key_(std::move(key)), next_(first), left_(length) {}
  Result<size_t> Read(char* buf, size_t max) override {
    if (pos_ == chunk_.size()) {
      if (left_ == 0) return size_t{0};
      std::int64_t n = std::min<std::int64_t>(left_, 8 << 20);
      auto got = c_.GetObjectRange(key_, next_, n);
      if (!got.ok()) return got.status();
      chunk_ = std::move(got).value();
      if (chunk_.empty()) return Unavailable("storage_error", "the object ended early");
      pos_ = 0;
      next_ += static_cast<std::int64_t>(chunk_.size());
      left_ -= static_cast<std::int64_t>(chunk_.size());
    }
    size_t n = std::min(max, chunk_.size() - pos_);
    std::memcpy(buf, chunk_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  S3Client& c_;
  std::string key_;
  std::int64_t next_, left_;
  std::string chunk_;
  size_t pos_ = 0;
};

}  // namespace

S3ObjectStore::S3ObjectStore(S3Config cfg, std::uint64_t max_object)
    : client_(std::move(cfg)),
      part_size_(std::max<size_t>(kMinPart, ((max_object / kMaxParts + (1u << 20) - 1) >> 20) << 20)) {}

Status S3ObjectStore::Prepare() {
  Status st = client_.HeadBucket();
  if (st.kind() == ErrorKind::kNotFound) st = client_.CreateBucket();
  ARCA_RETURN_IF_ERROR(st);
  return ProbeStreamedPut();
}

// Not every S3 server takes an aws-chunked body with an unsigned trailer
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER). AWS S3, MinIO and versitygw do;
// S3Proxy 2.6 refuses it, and so do several gateways by their own issue
// trackers (Storj's, trino's aws-proxy, SeaweedFS before 2025), some only
// once the whole body is in, and some older servers kept the framing as
// content. So one byte goes up that way at start-up, under a fixed key
// outside every layout's prefix (the reconciler never looks there), is
// checked by its size, and deleted. A store that refuses it, or keeps it
// wrong, gets every upload in multipart parts, which all S3 servers take.
Status S3ObjectStore::ProbeStreamedPut() {
  const std::string key = "arca-upload-probe";
  auto attempt = [&]() -> Status {
    auto put = client_.BeginStreamingPut(key, {}, 1, false);
    Status st = put.ok() ? (*put)->Write("a") : put.status();
    if (st.ok()) st = (*put)->Finish().status();
    if (!st.ok()) return st;
    auto head = client_.HeadObject(key);
    if (head.ok() && head->size != 1)
      st = Internal("storage_error", "a 1-byte streamed PUT was stored as " + std::to_string(head->size) + " bytes");
    // One byte left behind (credentials that may not delete) is not worth refusing to start.
    if (Status gone = client_.DeleteObject(key); !gone.ok())
      log::Warn("the start-up probe object is still in the bucket", {{"key", key}, {"answer", gone.message()}});
    return head.ok() ? st : head.status();
  };
  Status st = attempt();
  // A store that answered 5xx may be busy for a moment, or may refuse the
  // encoding for good (501, a bare 500): a few more tries, then multipart.
  for (int i = 1; i <= 2 && st.code() == "storage_unavailable"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250 * i));
    st = attempt();
  }
  streamed_puts_ = st.ok();
  if (st.ok()) return st;
  // No answer at all (connection refused, timeout): nothing learnt; start-up retries.
  if (st.code() == "storage_unreachable") return st;
  log::Warn("the store refused a streamed upload; uploads go up in multipart parts",
            {{"bucket", client_.config().bucket}, {"answer", st.message()}});
  return Status::Ok();
}

Status S3ObjectStore::Ping() { return client_.HeadBucket(); }

Result<std::unique_ptr<ObjectWriter>> S3ObjectStore::BeginPut(const std::string& key, const ObjectMeta& meta,
                                                              IfExists if_exists) {
  return std::unique_ptr<ObjectWriter>(new S3Writer(client_, key, meta, part_size_, if_exists));
}

Result<std::unique_ptr<ObjectWriter>> S3ObjectStore::BeginSizedPut(const std::string& key, const ObjectMeta& meta,
                                                                   std::uint64_t size, IfExists if_exists) {
  // Over PutObject's 5 GiB, or on a store that refused the streamed PUT: multipart.
  if (size > kMaxSinglePut || !streamed_puts_) return ObjectStore::BeginSizedPut(key, meta, size, if_exists);
  auto put = client_.BeginStreamingPut(key, meta, size, if_exists == IfExists::kFail);
  if (!put.ok()) return put.status();
  return std::unique_ptr<ObjectWriter>(new StreamingWriter(std::move(put).value(), key, meta, size));
}

Result<ObjectInfo> S3ObjectStore::Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) {
  ARCA_RETURN_IF_ERROR(client_.CopyObjectIfAbsent(from, to, meta, copy_part_bytes_));
  return client_.HeadObject(to);
}

Result<ObjectInfo> S3ObjectStore::Head(const std::string& key) { return client_.HeadObject(key); }

Result<std::unique_ptr<ObjectReader>> S3ObjectStore::Get(const std::string& key, std::optional<ByteRange> range) {
  auto info = client_.HeadObject(key);
  if (!info.ok()) return info.status();
  ByteRange r = range.value_or(ByteRange{0, info->size});
  if (r.first < 0 || r.length < 0 || r.first + r.length > info->size)
    return InvalidArgument("invalid_range", "range outside the object");
  return std::unique_ptr<ObjectReader>(new S3Reader(client_, key, r.first, r.length));
}

Status S3ObjectStore::Delete(const std::string& key) { return client_.DeleteObject(key); }

Result<ObjectListing> S3ObjectStore::List(const std::string& prefix, const std::optional<std::string>& next,
                                          size_t max) {
  auto page = client_.ListObjects(prefix, next, static_cast<int>(std::min<size_t>(max, 1000)));
  if (!page.ok()) return page.status();
  ObjectListing out;
  for (auto& o : page->objects) out.items.push_back({std::move(o.key), o.size, std::move(o.etag), o.modified_at});
  out.next = std::move(page->next_token);
  return out;
}

Result<std::vector<UnfinishedUpload>> S3ObjectStore::ListUnfinished(const std::string& prefix) {
  auto uploads = client_.ListMultipartUploads(prefix);
  if (!uploads.ok()) return uploads.status();
  std::vector<UnfinishedUpload> out;
  for (auto& u : *uploads) out.push_back({std::move(u.key), std::move(u.upload_id), u.initiated});
  return out;
}

Status S3ObjectStore::AbortUnfinished(const UnfinishedUpload& upload) {
  return client_.AbortMultipartUpload(upload.key, upload.id);
}

Result<PresignedLink> S3ObjectStore::PresignGet(const std::string& key, const DownloadOptions& opts) {
  const Micros now = NowMicros();
  std::vector<std::pair<std::string, std::string>> response{
      {"response-content-disposition", ContentDispositionAttachment(opts.filename)}};
  if (!opts.content_type.empty()) response.emplace_back("response-content-type", opts.content_type);
  return PresignedLink{client_.PresignGet(key, std::move(response), opts.ttl, now), now / 1000000 + opts.ttl.count()};
}

}  // namespace arca::s3
