// In-memory ObjectStore for unit tests: committed objects by key, plus a
// count of writers that are still open (neither committed nor aborted), so
// tests can see that nothing half-written is left behind. ObjectStoreWrapper
// forwards everything, so a test can override one method to inject a fault.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "ports/object_store.hpp"
#include "unit/fakes/call_log.hpp"

namespace arca::fakes {

class FakeObjectStore : public ObjectStore {
 public:
  struct Object {
    std::string bytes;
    ObjectMeta meta;
    std::int64_t modified_at = 0;  // 0: the epoch, older than any grace period
  };

  explicit FakeObjectStore(CallLog* log = nullptr) : log_(log) {}

  Status Prepare() override { return Status::Ok(); }
  Status Ping() override { return Status::Ok(); }
  std::string Bucket() const override { return "fake-bucket"; }

  Result<std::unique_ptr<ObjectWriter>> BeginPut(const std::string& key, const ObjectMeta& meta,
                                                 IfExists if_exists = IfExists::kReplace) override {
    std::lock_guard lock(mu_);
    ++begin_puts_;
    ++open_writers_;
    Log("objects.BeginPut " + key);
    return std::unique_ptr<ObjectWriter>(new Writer(*this, key, meta, if_exists));
  }
  Result<ObjectInfo> Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) override {
    std::lock_guard lock(mu_);
    Log("objects.Copy " + from + " " + to);
    auto it = objects_.find(from);
    if (it == objects_.end()) return NotFound("object_not_found", "no object " + from);
    if (objects_.count(to)) return Conflict("object_exists", "an object already has this key");
    objects_[to] = Object{it->second.bytes, meta, it->second.modified_at};
    return ObjectInfo{to, static_cast<std::int64_t>(it->second.bytes.size()), "etag", meta};
  }
  Result<ObjectInfo> Head(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFound("object_not_found", "no object " + key);
    return ObjectInfo{key, static_cast<std::int64_t>(it->second.bytes.size()), "etag", it->second.meta};
  }
  Result<std::unique_ptr<ObjectReader>> Get(const std::string& key, std::optional<ByteRange> range) override {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFound("object_not_found", "no object " + key);
    std::string bytes = it->second.bytes;
    if (range) bytes = bytes.substr(static_cast<size_t>(range->first), static_cast<size_t>(range->length));
    return std::unique_ptr<ObjectReader>(new Reader(std::move(bytes)));
  }
  Status Delete(const std::string& key) override {
    std::lock_guard lock(mu_);
    Log("objects.Delete " + key);
    objects_.erase(key);
    return Status::Ok();
  }
  Result<ObjectListing> List(const std::string& prefix, const std::optional<std::string>& next, size_t max) override {
    std::lock_guard lock(mu_);
    ObjectListing out;
    for (auto it = next ? objects_.upper_bound(*next) : objects_.begin(); it != objects_.end(); ++it) {
      if (!it->first.starts_with(prefix)) continue;
      if (out.items.size() == max) {
        out.next = out.items.back().key;
        break;
      }
      out.items.push_back({it->first, static_cast<std::int64_t>(it->second.bytes.size()), "etag",
                           it->second.modified_at});
    }
    return out;
  }
  Result<std::vector<UnfinishedUpload>> ListUnfinished(const std::string&) override {
    std::lock_guard lock(mu_);
    return unfinished;
  }
  Status AbortUnfinished(const UnfinishedUpload& u) override {
    std::lock_guard lock(mu_);
    std::erase_if(unfinished, [&](const UnfinishedUpload& x) { return x.id == u.id; });
    return Status::Ok();
  }
  Result<PresignedLink> PresignGet(const std::string& key, const DownloadOptions& opts) override {
    return PresignedLink{"https://fake.example/" + key, 1'800'000'000 + opts.ttl.count()};
  }

  // Test helpers.
  bool Has(const std::string& key) {
    std::lock_guard lock(mu_);
    return objects_.count(key) > 0;
  }
  std::string Bytes(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? "" : it->second.bytes;
  }
  ObjectMeta Meta(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? ObjectMeta{} : it->second.meta;
  }
  size_t ObjectCount() {
    std::lock_guard lock(mu_);
    return objects_.size();
  }
  int BeginPuts() {
    std::lock_guard lock(mu_);
    return begin_puts_;
  }
  // Writers neither committed nor aborted: partial uploads still holding resources.
  int OpenWriters() {
    std::lock_guard lock(mu_);
    return open_writers_;
  }
  void Put(const std::string& key, std::string bytes, ObjectMeta meta = {}, std::int64_t modified_at = 0) {
    std::lock_guard lock(mu_);
    objects_[key] = Object{std::move(bytes), std::move(meta), modified_at};
  }
  std::vector<UnfinishedUpload> unfinished;  // what ListUnfinished reports; AbortUnfinished removes (mu_)

 private:
  class Writer : public ObjectWriter {
   public:
    Writer(FakeObjectStore& s, std::string key, ObjectMeta meta, IfExists if_exists)
        : s_(s), key_(std::move(key)), meta_(std::move(meta)), if_exists_(if_exists) {}
    ~Writer() override { Abort(); }
    Status Write(std::string_view bytes) override {
      if (closed_) return Internal("storage_closed", "write to a closed object");
      buf_.append(bytes);
      return Status::Ok();
    }
    Result<ObjectInfo> Commit() override {
      if (closed_) return Internal("storage_closed", "commit of a closed object");
      closed_ = true;
      std::lock_guard lock(s_.mu_);
      --s_.open_writers_;
      s_.Log("objects.Commit " + key_);
      if (if_exists_ == IfExists::kFail && s_.objects_.count(key_))
        return Conflict("object_exists", "an object already has this key");
      auto size = static_cast<std::int64_t>(buf_.size());
      s_.objects_[key_] = Object{std::move(buf_), meta_};
      return ObjectInfo{key_, size, "etag", meta_};
    }
    void Abort() override {
      if (closed_) return;
      closed_ = true;
      std::lock_guard lock(s_.mu_);
      --s_.open_writers_;
      s_.Log("objects.Abort " + key_);
    }

   private:
    FakeObjectStore& s_;
    std::string key_;
    ObjectMeta meta_;
    IfExists if_exists_;
    std::string buf_;
    bool closed_ = false;
  };

  class Reader : public ObjectReader {
   public:
    explicit Reader(std::string bytes) : bytes_(std::move(bytes)) {}
    Result<size_t> Read(char* buf, size_t max) override {
      size_t n = std::min(max, bytes_.size() - pos_);
      std::memcpy(buf, bytes_.data() + pos_, n);
      pos_ += n;
      return n;
    }

   private:
    std::string bytes_;
    size_t pos_ = 0;
  };

  void Log(std::string s) {
    if (log_) log_->Add(std::move(s));
  }

  CallLog* log_;
  std::mutex mu_;
  std::map<std::string, Object> objects_;
  int begin_puts_ = 0;
  int open_writers_ = 0;
};

// Forwards every call to `target`; subclasses override what they break.
class ObjectStoreWrapper : public ObjectStore {
 public:
  explicit ObjectStoreWrapper(ObjectStore& target) : t_(target) {}
  Status Prepare() override { return t_.Prepare(); }
  Status Ping() override { return t_.Ping(); }
  std::string Bucket() const override { return t_.Bucket(); }
  Result<std::unique_ptr<ObjectWriter>> BeginPut(const std::string& key, const ObjectMeta& meta,
                                                 IfExists if_exists = IfExists::kReplace) override {
    return t_.BeginPut(key, meta, if_exists);
  }
  Result<ObjectInfo> Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) override {
    return t_.Copy(from, to, meta);
  }
  Result<ObjectInfo> Head(const std::string& key) override { return t_.Head(key); }
  Result<std::unique_ptr<ObjectReader>> Get(const std::string& key, std::optional<ByteRange> range) override {
    return t_.Get(key, range);
  }
  Status Delete(const std::string& key) override { return t_.Delete(key); }
  Result<PresignedLink> PresignGet(const std::string& key, const DownloadOptions& opts) override {
    return t_.PresignGet(key, opts);
  }
  Result<ObjectListing> List(const std::string& prefix, const std::optional<std::string>& next, size_t max) override {
    return t_.List(prefix, next, max);
  }
  Result<std::vector<UnfinishedUpload>> ListUnfinished(const std::string& p) override { return t_.ListUnfinished(p); }
  Status AbortUnfinished(const UnfinishedUpload& u) override { return t_.AbortUnfinished(u); }

 protected:
  ObjectStore& t_;
};

// The store does not answer deletes.
class DeleteFailingObjectStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Status Delete(const std::string&) override { return Unavailable("storage_unavailable", "injected: delete failed"); }
};

}  // namespace arca::fakes
