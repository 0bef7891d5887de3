// MetadataStore on SQLite: the embedded default. One connection guarded by a
// mutex; SQLite serialises writers anyway, and reads are short index scans.
#pragma once

#include <mutex>

#include "adapters/sqlite/sqlite_db.hpp"
#include "ports/metadata_store.hpp"

namespace arca::sqlite {

class SqliteMetadataStore : public MetadataStore {
 public:
  // Opens (and creates) the database file. Fails with kUnavailable.
  static Result<std::unique_ptr<SqliteMetadataStore>> Open(const std::string& path);

  Status Migrate() override;
  Status Ping() override;
  Status CreateUser(const User& user) override;
  Result<User> FindUserByName(const std::string& username) override;
  Result<User> FindUserById(const std::string& id) override;
  Result<std::int64_t> CountUsers() override;
  Status InsertFiles(const std::vector<FileRecord>& files) override;
  Result<FileRecord> GetFile(const std::string& id) override;
  Result<FilePage> ListFiles(const ListQuery& query) override;
  Result<FileRecord> UpdateFile(const std::string& id, const FilePatch& patch, Micros now) override;
  Result<FileRecord> MarkDeleting(const std::string& id, Micros now) override;
  Status DeleteFile(const std::string& id) override;
  Result<std::vector<FileRecord>> ScanByObjectKey(const std::string& after, size_t limit) override;
  Status MarkMissing(const std::string& id, Micros now) override;
  Result<FileRecord> RenameFile(const std::string& id, const std::string& from_key, const std::string& to_key,
                                const std::string& name, const std::string& folder, Micros now) override;
  Result<bool> IsTombstoned(const std::string& id) override;
  Status SaveReconcileSummary(Micros finished_at, const std::string& json) override;
  Result<std::optional<std::string>> LastReconcileSummary() override;

 private:
  explicit SqliteMetadataStore(DbHandle db) : db_(std::move(db)) {}
  Result<User> FindUser(std::string_view where, const std::string& value);
  Result<FileRecord> GetFileLocked(const std::string& id);

  std::mutex mu_;
  DbHandle db_;  // guarded by mu_
};

}  // namespace arca::sqlite
