// In-memory MetadataStore for unit tests of the use cases: users, file rows
// and tombstones with the port's documented semantics. ListFiles is not
// modelled (the contract suite covers real listings). MetadataStoreWrapper
// forwards everything, so a test can override one method to inject a fault.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "ports/metadata_store.hpp"
#include "unit/fakes/call_log.hpp"

namespace arca::fakes {

class FakeMetadataStore : public MetadataStore {
 public:
  explicit FakeMetadataStore(CallLog* log = nullptr) : log_(log) {}

  Status Migrate() override { return Status::Ok(); }
  Status Ping() override { return Status::Ok(); }

  Status CreateUser(const User& user) override {
    std::lock_guard lock(mu_);
    for (auto& [id, u] : users_)
      if (u.username == user.username) return Conflict("user_exists", "a user named " + user.username + " exists");
    users_[user.id] = user;
    return Status::Ok();
  }
  Result<User> FindUserByName(const std::string& username) override {
    std::lock_guard lock(mu_);
    for (auto& [id, u] : users_)
      if (u.username == username) return u;
    return NotFound("user_not_found", "no such user");
  }
  Result<User> FindUserById(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(id);
    if (it == users_.end()) return NotFound("user_not_found", "no such user");
    return it->second;
  }
  Result<std::int64_t> CountUsers() override {
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(users_.size());
  }

  Status InsertFiles(const std::vector<FileRecord>& files) override {
    std::lock_guard lock(mu_);
    for (const auto& f : files) {
      Log("meta.InsertFiles " + f.id);
      if (files_.count(f.id) || tombstones_.count(f.id)) continue;
      files_[f.id] = f;
    }
    return Status::Ok();
  }
  Result<FileRecord> GetFile(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(id);
    if (it == files_.end()) return NotFound("file_not_found", "no file with id " + id);
    return WithOwnerName(it->second);
  }
  Result<FilePage> ListFiles(const ListQuery&) override {
    return Internal("not_modelled", "FakeMetadataStore does not model listings");
  }
  Result<FileRecord> UpdateFile(const std::string& id, const FilePatch& p, Micros now) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(id);
    if (it == files_.end() || it->second.state == FileState::kDeleting)
      return NotFound("file_not_found", "no file with id " + id);
    FileRecord& f = it->second;
    if (p.name) f.name = *p.name;
    if (p.folder) f.folder = *p.folder;
    if (p.description) f.description = *p.description;
    if (p.status) f.status = *p.status;
    if (p.tags) f.tags = *p.tags;
    f.updated_at = now;
    return WithOwnerName(f);
  }
  Result<FileRecord> MarkDeleting(const std::string& id, Micros now) override {
    std::lock_guard lock(mu_);
    Log("meta.MarkDeleting " + id);
    auto it = files_.find(id);
    if (it == files_.end() || it->second.state == FileState::kDeleting)
      return NotFound("file_not_found", "no file with id " + id);
    it->second.state = FileState::kDeleting;
    it->second.updated_at = now;
    return WithOwnerName(it->second);
  }
  Status DeleteFile(const std::string& id) override {
    std::lock_guard lock(mu_);
    Log("meta.DeleteFile " + id);
    files_.erase(id);
    tombstones_.insert(id);
    return Status::Ok();
  }

  Result<std::vector<FileRecord>> ScanByObjectKey(const std::string& after, size_t limit) override {
    std::lock_guard lock(mu_);
    std::map<std::string, FileRecord> by_key;
    for (auto& [id, f] : files_)
      if (f.object_key > after) by_key[f.object_key] = WithOwnerName(f);
    std::vector<FileRecord> out;
    for (auto& [k, f] : by_key) {
      if (out.size() >= limit) break;
      out.push_back(f);
    }
    return out;
  }
  Status MarkMissing(const std::string& id, Micros now) override {
    std::lock_guard lock(mu_);
    Log("meta.MarkMissing " + id);
    auto it = files_.find(id);
    if (it == files_.end() || it->second.state != FileState::kReady) return NotFound("file_not_found", id);
    it->second.state = FileState::kMissing;
    it->second.updated_at = now;
    return Status::Ok();
  }
  Result<FileRecord> RenameFile(const std::string& id, const std::string& from_key, const std::string& to_key,
                                const std::string& name, const std::string& folder, Micros now) override {
    std::lock_guard lock(mu_);
    Log("meta.RenameFile " + id + " " + to_key);
    auto it = files_.find(id);
    if (it == files_.end() || it->second.object_key != from_key || it->second.state == FileState::kDeleting)
      return NotFound("file_not_found", id);
    it->second.object_key = to_key;
    it->second.name = name;
    it->second.folder = folder;
    it->second.updated_at = now;
    return it->second;
  }
  Result<bool> IsTombstoned(const std::string& id) override {
    std::lock_guard lock(mu_);
    return tombstones_.count(id) > 0;
  }
  Status SaveReconcileSummary(Micros, const std::string& json) override {
    std::lock_guard lock(mu_);
    summary_ = json;
    return Status::Ok();
  }
  Result<std::optional<std::string>> LastReconcileSummary() override {
    std::lock_guard lock(mu_);
    return summary_;
  }

  // Test helpers.
  size_t FileCount() {
    std::lock_guard lock(mu_);
    return files_.size();
  }
  bool HasTombstone(const std::string& id) {
    std::lock_guard lock(mu_);
    return tombstones_.count(id) > 0;
  }

 private:
  FileRecord WithOwnerName(FileRecord f) const {
    auto u = users_.find(f.owner_id);
    f.owner_username = u == users_.end() ? "" : u->second.username;
    return f;
  }
  void Log(std::string s) {
    if (log_) log_->Add(std::move(s));
  }

  CallLog* log_;
  std::mutex mu_;
  std::map<std::string, User> users_;       // by id
  std::map<std::string, FileRecord> files_;  // by id
  std::set<std::string> tombstones_;
  std::optional<std::string> summary_;
};

// Forwards every call to `target`; subclasses override what they break.
class MetadataStoreWrapper : public MetadataStore {
 public:
  explicit MetadataStoreWrapper(MetadataStore& target) : t_(target) {}
  Status Migrate() override { return t_.Migrate(); }
  Status Ping() override { return t_.Ping(); }
  Status CreateUser(const User& u) override { return t_.CreateUser(u); }
  Result<User> FindUserByName(const std::string& n) override { return t_.FindUserByName(n); }
  Result<User> FindUserById(const std::string& id) override { return t_.FindUserById(id); }
  Result<std::int64_t> CountUsers() override { return t_.CountUsers(); }
  Status InsertFiles(const std::vector<FileRecord>& f) override { return t_.InsertFiles(f); }
  Result<FileRecord> GetFile(const std::string& id) override { return t_.GetFile(id); }
  Result<FilePage> ListFiles(const ListQuery& q) override { return t_.ListFiles(q); }
  Result<FileRecord> UpdateFile(const std::string& id, const FilePatch& p, Micros now) override {
    return t_.UpdateFile(id, p, now);
  }
  Result<FileRecord> MarkDeleting(const std::string& id, Micros now) override { return t_.MarkDeleting(id, now); }
  Status DeleteFile(const std::string& id) override { return t_.DeleteFile(id); }
  Result<std::vector<FileRecord>> ScanByObjectKey(const std::string& after, size_t limit) override {
    return t_.ScanByObjectKey(after, limit);
  }
  Status MarkMissing(const std::string& id, Micros now) override { return t_.MarkMissing(id, now); }
  Result<FileRecord> RenameFile(const std::string& id, const std::string& from_key, const std::string& to_key,
                                const std::string& name, const std::string& folder, Micros now) override {
    return t_.RenameFile(id, from_key, to_key, name, folder, now);
  }
  Result<bool> IsTombstoned(const std::string& id) override { return t_.IsTombstoned(id); }
  Status SaveReconcileSummary(Micros at, const std::string& json) override { return t_.SaveReconcileSummary(at, json); }
  Result<std::optional<std::string>> LastReconcileSummary() override { return t_.LastReconcileSummary(); }

 protected:
  MetadataStore& t_;
};

// The database is down for writes of new rows.
class InsertFailingMetadataStore : public MetadataStoreWrapper {
 public:
  using MetadataStoreWrapper::MetadataStoreWrapper;
  Status InsertFiles(const std::vector<FileRecord>&) override {
    return Unavailable("database_unavailable", "injected: insert failed");
  }
};

}  // namespace arca::fakes
