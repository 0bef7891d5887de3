// MetadataStore on PostgreSQL: pooled connections, prepared statements,
// one indexed query per listing shape (docs/schema.md).
#pragma once

#include "adapters/postgres/pg_pool.hpp"
#include "ports/metadata_store.hpp"

namespace arca::postgres {

class PgMetadataStore : public MetadataStore {
 public:
  // Connections open lazily; a server that is down surfaces as kUnavailable per call.
  PgMetadataStore(std::string url, int pool_size) : pool_(std::move(url), pool_size) {}

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
  Result<bool> IsTombstoned(const std::string& id) override;
  Status SaveReconcileSummary(Micros finished_at, const std::string& json) override;
  Result<std::optional<std::string>> LastReconcileSummary() override;

  // The SQL and parameters ListFiles runs (tests EXPLAIN it).
  static std::pair<std::string, Params> ListSql(const ListQuery& q);

 private:
  Result<User> FindUser(const char* where, const std::string& value);
  Pool pool_;
};

}  // namespace arca::postgres
