// MetadataStore on PostgreSQL: pooled connections, prepared statements,
// one indexed query per listing shape (docs/schema.md).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "adapters/postgres/pg_async_pool.hpp"
#include "adapters/postgres/pg_pool.hpp"
#include "adapters/postgres/pg_row_cache.hpp"
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
  Result<FileRecord> RenameFile(const std::string& id, const std::string& from_key, const std::string& to_key,
                                const std::string& name, const std::string& folder, Micros now) override;
  Result<bool> IsTombstoned(const std::string& id) override;
  Status SaveReconcileSummary(Micros finished_at, const std::string& json) override;
  Result<std::optional<std::string>> LastReconcileSummary() override;

  // The hot path's reads on an event loop (see the port). Until
  // ReadOnEventLoop is called they are the blocking defaults.
  bool NonBlockingReads() const override { return !loop_pools_.empty(); }
  void FindUserByIdAsync(const std::string& id, ResultCallback<User> done) override;
  void GetFileAsync(const std::string& id, ResultCallback<FileRecord> done) override;
  void ListFilesAsync(const ListQuery& query, ResultCallback<FilePage> done) override;

  // Gives the *Async reads `connections` connections of their own on each
  // of `loops` (the HTTP server's; one thread runs each), so a read runs on
  // the connections of the loop it was called from and completes on that
  // loop's thread. Called from any other thread, a read blocks as the
  // defaults do. GetFileAsync then also answers from a FileRowCache
  // (pg_row_cache.hpp); the blocking reads, which writers and workers use,
  // always read the table. Call before the loops run, and
  // StopReadingOnEventLoops once no thread runs them and before they are
  // destroyed; neither is safe while requests are served.
  void ReadOnEventLoops(const std::vector<boost::asio::io_context*>& loops, int connections);
  // True while the row cache hears of changes (and so keeps rows).
  bool RowCacheListening() {
    auto cache = Cache();
    return cache && cache->Listening();
  }
  void StopReadingOnEventLoops() {
    loop_pools_.clear();
    std::shared_ptr<FileRowCache> gone;
    {
      std::lock_guard lock(cache_mu_);
      gone.swap(cache_);
    }
    // Joined here, outside the lock, so writers dropping rows never wait on it.
  }

  // The SQL and parameters ListFiles runs (tests EXPLAIN it).
  static std::pair<std::string, Params> ListSql(const ListQuery& q);

 private:
  // Every write to a file row goes through here: it runs `sql` and drops
  // the row from the cache at once (read your writes on this node; other
  // nodes hear of it through the trigger).
  Result<Rows> WriteRow(const std::string& id, const std::string& sql, const Params& params);

  Pool pool_;
  std::mutex cache_mu_;                  // guards cache_ being set or reset, not its use
  std::shared_ptr<FileRowCache> cache_;  // while reading on the event loops
  std::shared_ptr<FileRowCache> Cache();
  // The pool of the loop the calling thread runs; null off the loops.
  AsyncPool* LoopPool();
  std::vector<std::unique_ptr<AsyncPool>> loop_pools_;
};

}  // namespace arca::postgres
