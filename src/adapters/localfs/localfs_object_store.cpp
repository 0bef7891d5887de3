#include "adapters/localfs/localfs_object_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

#include "core/encoding.hpp"
#include "core/signed_link.hpp"
#include "core/time.hpp"

namespace arca::localfs {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMetaSuffix = ".meta.json";

Status IoError(const std::string& what, int err) {
  return Unavailable("storage_error", what + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Durable file contents then durable directory entry: rename alone is not enough after a crash.
Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("open dir", errno);
  ::fsync(fd);
  ::close(fd);
  return Status::Ok();
}

// Holds an exclusive flock on a file: the create-only check and the rename
// into place are one step for every process sharing the data dir.
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// A path component that is a file where a folder must be, or the other way
// round: "a" and "a/b" cannot both be objects on a file system.
Status KeyClash(const fs::path& dest) {
  return Conflict("key_conflict", "the object key clashes with a folder or file of the same name: " + dest.string());
}

// Moves a finished temporary file (already synced) to its key, with its
// metadata beside it. With IfExists::kFail an existing object is left
// untouched and the answer is kConflict "object_exists".
Status PublishFile(const fs::path& tmp, const fs::path& dest, const ObjectMeta& meta, IfExists if_exists,
                   const fs::path& lock_path) {
  std::optional<FileLock> lock;
  if (if_exists == IfExists::kFail) {
    lock.emplace(lock_path);
    if (!lock->ok()) return IoError("lock " + lock_path.string(), errno);
    std::error_code ec;
    if (fs::exists(dest, ec)) {
      if (fs::is_directory(dest, ec)) return KeyClash(dest);
      return Conflict("object_exists", "an object already has this key");
    }
  }
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return ec == std::errc::not_a_directory || ec == std::errc::file_exists ? KeyClash(dest)
                                                                                   : IoError("mkdir", ec.value());
  boost::json::object m;
  for (auto& [k, v] : meta) m[k] = v;
  {
    std::ofstream out(dest.string() + std::string(kMetaSuffix), std::ios::trunc);
    out << boost::json::serialize(m);
    if (!out) return Unavailable("storage_error", "cannot write object metadata");
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    if (errno == EISDIR || errno == ENOTDIR || errno == ENOTEMPTY) return KeyClash(dest);
    return IoError("rename", errno);
  }
  return SyncDir(dest.parent_path());
}

class FileWriter : public ObjectWriter {
 public:
  FileWriter(int fd, fs::path tmp, fs::path dest, std::string key, ObjectMeta meta, IfExists if_exists, fs::path lock)
      : fd_(fd),
        tmp_(std::move(tmp)),
        dest_(std::move(dest)),
        key_(std::move(key)),
        meta_(std::move(meta)),
        if_exists_(if_exists),
        lock_(std::move(lock)) {}
  ~FileWriter() override { Abort(); }

  Status Write(std::string_view bytes) override {
    if (fd_ < 0) return Internal("storage_closed", "write to a closed object");
    size_ += static_cast<std::int64_t>(bytes.size());
    return WriteAll(fd_, bytes);
  }

  Result<ObjectInfo> Commit() override {
    if (fd_ < 0) return Internal("storage_closed", "commit of a closed object");
    if (::fsync(fd_) != 0) return IoError("fsync", errno);
    ::close(fd_);
    fd_ = -1;
    if (Status st = PublishFile(tmp_, dest_, meta_, if_exists_, lock_); !st.ok()) {
      Abort();  // nothing staged is left behind
      return st;
    }
    committed_ = true;
    return ObjectInfo{key_, size_, std::to_string(size_), meta_};
  }

  void Abort() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!committed_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }

 private:
  int fd_;
  fs::path tmp_, dest_;
  std::string key_;
  ObjectMeta meta_;
  IfExists if_exists_;
  fs::path lock_;
  std::int64_t size_ = 0;
  bool committed_ = false;
};

class FileReader : public ObjectReader {
 public:
  FileReader(int fd, std::int64_t left) : fd_(fd), left_(left) {}
  ~FileReader() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t max) override {
    if (left_ <= 0) return size_t{0};
    size_t want = std::min<size_t>(max, static_cast<size_t>(left_));
    for (;;) {
      ssize_t n = ::read(fd_, buf, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("read", errno);
      left_ -= n;
      if (n == 0) left_ = 0;  // the file shrank under us; end the stream
      return static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  std::int64_t left_;
};

}  // namespace

bool IsSafeKey(std::string_view key) {
  if (key.empty() || key.size() > 1024 || key.front() == '/' || key.back() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty() || seg.size() > 255 || seg == "." || seg == ".." || seg.starts_with(".tmp")) return false;
    for (char c : seg) {
      // Any byte but controls: named-layout keys carry users' UTF-8 names.
      auto b = static_cast<unsigned char>(c);
      if (b < 0x20 || b == 0x7F || c == '\\') return false;
    }
    if (seg.ends_with(kMetaSuffix)) return false;
    start = end + 1;
  }
  return true;
}

Result<fs::path> LocalFsObjectStore::PathOf(const std::string& key) const {
  if (!IsSafeKey(key)) return InvalidArgument("invalid_object_key", "object key not allowed: " + key);
  return opts_.root / key;
}

Status LocalFsObjectStore::Prepare() {
  std::error_code ec;
  fs::create_directories(TempDir(), ec);
  if (ec) return Unavailable("storage_unavailable", "cannot create " + TempDir().string() + ": " + ec.message());
  // Temporary files of a crashed process are never committed: remove them.
  // Only stale ones: a live upload in another process (serve beside an
  // admin command) writes its file at least once per read timeout.
  const auto stale_before = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  for (auto& entry : fs::directory_iterator(TempDir(), ec)) {
    std::error_code mec;
    auto mtime = fs::last_write_time(entry.path(), mec);
    if (!mec && mtime < stale_before) fs::remove(entry.path(), mec);
  }
  return Status::Ok();
}

Status LocalFsObjectStore::Ping() {
  std::error_code ec;
  if (!fs::is_directory(opts_.root, ec)) return Unavailable("storage_unavailable", opts_.root.string() + " is missing");
  if (::access(opts_.root.c_str(), W_OK) != 0) return IoError(opts_.root.string(), errno);
  return Status::Ok();
}

Result<std::unique_ptr<ObjectWriter>> LocalFsObjectStore::BeginPut(const std::string& key, const ObjectMeta& meta,
                                                                   IfExists if_exists) {
  auto dest = PathOf(key);
  if (!dest.ok()) return dest.status();
  fs::path tmp = TempDir() / ("put-" + HexEncode(RandomBytes(12)));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("create " + tmp.string(), errno);
  return std::unique_ptr<ObjectWriter>(new FileWriter(fd, tmp, *dest, key, meta, if_exists, CreateLock()));
}

Result<ObjectInfo> LocalFsObjectStore::Copy(const std::string& from, const std::string& to, const ObjectMeta& meta) {
  auto src = PathOf(from);
  if (!src.ok()) return src.status();
  auto dest = PathOf(to);
  if (!dest.ok()) return dest.status();
  fs::path tmp = TempDir() / ("copy-" + HexEncode(RandomBytes(12)));
  std::error_code ec;
  if (!fs::copy_file(*src, tmp, ec)) {
    if (ec == std::errc::no_such_file_or_directory) return NotFound("object_not_found", "no object " + from);
    return IoError("copy " + from, ec.value());
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  Status st = synced ? PublishFile(tmp, *dest, meta, IfExists::kFail, CreateLock()) : IoError("fsync", errno);
  if (!st.ok()) {
    fs::remove(tmp, ec);
    return st;
  }
  auto size = static_cast<std::int64_t>(fs::file_size(*dest, ec));
  return ObjectInfo{to, size, std::to_string(size), meta};
}

Result<ObjectInfo> LocalFsObjectStore::Head(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  auto size = fs::file_size(*path, ec);
  if (ec) return NotFound("object_not_found", "no object " + key);
  ObjectInfo info{key, static_cast<std::int64_t>(size), std::to_string(size), {}};
  std::ifstream in(path->string() + std::string(kMetaSuffix));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code jec;
  auto v = boost::json::parse(text, jec);
  if (!jec && v.is_object())
    for (auto& [k, val] : v.as_object())
      if (val.is_string()) info.meta[std::string(k)] = std::string(val.as_string());
  return info;
}

Result<std::unique_ptr<ObjectReader>> LocalFsObjectStore::Get(const std::string& key, std::optional<ByteRange> range) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("object_not_found", "no object " + key);
    return IoError("open", errno);
  }
  std::int64_t size = ::lseek(fd, 0, SEEK_END);
  std::int64_t first = range ? range->first : 0;
  std::int64_t length = range ? range->length : size;
  if (first < 0 || first > size || length < 0 || first + length > size) {
    ::close(fd);
    return InvalidArgument("invalid_range", "range outside the object");
  }
  ::lseek(fd, first, SEEK_SET);
  return std::unique_ptr<ObjectReader>(new FileReader(fd, length));
}

Status LocalFsObjectStore::Delete(const std::string& key) {
  auto path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  fs::remove(*path, ec);
  if (ec) return Unavailable("storage_error", "delete " + key + ": " + ec.message());
  fs::remove(path->string() + std::string(kMetaSuffix), ec);
  return Status::Ok();
}

Result<PresignedLink> LocalFsObjectStore::PresignGet(const std::string& key, const DownloadOptions& opts) {
  if (!IsSafeKey(key)) return InvalidArgument("invalid_object_key", "object key not allowed: " + key);
  std::int64_t expires = NowMicros() / 1000000 + opts.ttl.count();
  BlobLink link{key, expires, opts.filename, opts.content_type};
  return PresignedLink{opts_.public_base_url + SignBlobLink(opts_.link_secret, link), expires};
}

namespace {
// GCC 12 has no clock_cast; the file clock's offset to the system clock is fixed.
Micros MicrosOf(fs::file_time_type t) {
  const auto file_now = fs::file_time_type::clock::now();
  const auto sys_now = std::chrono::system_clock::now();
  const auto sys = sys_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - file_now);
  return std::chrono::duration_cast<std::chrono::microseconds>(sys.time_since_epoch()).count();
}
}  // namespace

Result<ObjectListing> LocalFsObjectStore::List(const std::string& prefix, const std::optional<std::string>& next,
                                               size_t max) {
  // Directory order is not key order: walk everything under the prefix and
  // keep only the `max` smallest keys after `next` (memory stays O(max)).
  const std::string dir_part = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/') + 1);
  const fs::path start = opts_.root / dir_part;
  std::set<std::string> keys;
  bool more = false;
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return ObjectListing{};
  for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string key = fs::relative(it->path(), opts_.root).generic_string();
    if (!key.starts_with(prefix) || !IsSafeKey(key)) continue;  // skips sidecars and .tmp
    if (next && key <= *next) continue;
    keys.insert(std::move(key));
    if (keys.size() > max) {
      keys.erase(std::prev(keys.end()));
      more = true;
    }
  }
  if (ec) return Unavailable("storage_error", "listing " + start.string() + ": " + ec.message());
  ObjectListing out;
  for (const auto& key : keys) {
    std::error_code fec;
    const fs::path p = opts_.root / key;
    auto size = fs::file_size(p, fec);
    auto mtime = fs::last_write_time(p, fec);
    if (fec) continue;  // deleted meanwhile
    out.items.push_back({key, static_cast<std::int64_t>(size), std::to_string(size), MicrosOf(mtime)});
  }
  if (more && !keys.empty()) out.next = *keys.rbegin();
  return out;
}

Result<std::vector<UnfinishedUpload>> LocalFsObjectStore::ListUnfinished(const std::string&) {
  // Staged writes carry no key; every one of them is an upload in progress
  // (or abandoned by a crash).
  std::vector<UnfinishedUpload> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(TempDir(), ec)) {
    std::error_code mec;
    auto mtime = fs::last_write_time(entry.path(), mec);
    if (!mec) out.push_back({"", entry.path().filename().string(), MicrosOf(mtime)});
  }
  if (ec) return Unavailable("storage_error", "listing " + TempDir().string() + ": " + ec.message());
  return out;
}

Status LocalFsObjectStore::AbortUnfinished(const UnfinishedUpload& upload) {
  if (upload.id.empty() || upload.id.find('/') != std::string::npos) return Status::Ok();
  std::error_code ec;
  fs::remove(TempDir() / upload.id, ec);
  return Status::Ok();
}

}  // namespace arca::localfs
