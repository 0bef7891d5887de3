// MetadataStore: users and file records. Adapters: sqlite (embedded),
// postgres. Every method is thread-safe. Failures to reach the database are
// kUnavailable; a row that is absent is kNotFound.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/file_record.hpp"
#include "core/list_query.hpp"
#include "core/status.hpp"

namespace arca {

struct FilePage {
  std::vector<FileRecord> items;
  std::optional<Cursor> next;  // absent on the last page
};

// Changes PATCH may make; absent fields stay as they are.
struct FilePatch {
  std::optional<std::string> name;
  std::optional<std::string> folder;
  std::optional<std::string> description;
  std::optional<ReviewStatus> status;
  std::optional<std::vector<std::string>> tags;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Creates or upgrades the schema. Safe to call at every start.
  virtual Status Migrate() = 0;
  // Answers quickly whether the database can be used (for /readyz).
  virtual Status Ping() = 0;

  // Users. CreateUser fails with kConflict ("user_exists") on a taken name.
  virtual Status CreateUser(const User& user) = 0;
  virtual Result<User> FindUserByName(const std::string& username) = 0;
  virtual Result<User> FindUserById(const std::string& id) = 0;
  virtual Result<std::int64_t> CountUsers() = 0;

  // Inserts records by id in one transaction. A record whose id exists, or
  // whose id was deleted before (a tombstone), is skipped: redelivered
  // uploads are no-ops and deleted files never come back.
  virtual Status InsertFiles(const std::vector<FileRecord>& files) = 0;
  // Any state, including deleting. kNotFound when absent.
  virtual Result<FileRecord> GetFile(const std::string& id) = 0;
  // Never returns files in state `deleting`.
  virtual Result<FilePage> ListFiles(const ListQuery& query) = 0;
  // Applies the patch to a visible (not deleting) file and returns the new record.
  virtual Result<FileRecord> UpdateFile(const std::string& id, const FilePatch& patch, Micros now) = 0;
  // A physical rename's row update (named layout): the file's key, name and
  // folder change together, only while the row still has `from_key` and is
  // not `deleting` (kNotFound otherwise: it changed meanwhile).
  virtual Result<FileRecord> RenameFile(const std::string& id, const std::string& from_key,
                                        const std::string& to_key, const std::string& name,
                                        const std::string& folder, Micros now) = 0;
  // Moves a visible file to `deleting`. kNotFound if absent or already deleting.
  virtual Result<FileRecord> MarkDeleting(const std::string& id, Micros now) = 0;
  // Removes the row and leaves a tombstone. Absent rows are a success.
  virtual Status DeleteFile(const std::string& id) = 0;

  // For the reconciler. Rows in any state whose object_key sorts after
  // `after` in byte order (as S3 lists keys), `limit` at most.
  virtual Result<std::vector<FileRecord>> ScanByObjectKey(const std::string& after, size_t limit) = 0;
  // A `ready` file whose object is gone becomes `missing`. kNotFound if the
  // row is absent or not `ready`.
  virtual Status MarkMissing(const std::string& id, Micros now) = 0;
  // True when the file was deleted (its id can never come back).
  virtual Result<bool> IsTombstoned(const std::string& id) = 0;
  // The last reconcile pass's summary (JSON), kept for /metrics.
  virtual Status SaveReconcileSummary(Micros finished_at, const std::string& json) = 0;
  virtual Result<std::optional<std::string>> LastReconcileSummary() = 0;

  // The reads of the hot path (token check -> one row -> answer), for
  // callers on an event loop that must not block. Same answers as the
  // blocking methods above; `done` is called exactly once, maybe before the
  // call returns, maybe later on another thread (the adapter says which).
  //
  // The defaults run the blocking method and complete inline, so every
  // adapter has them. An adapter that can wait without blocking overrides
  // them and answers true in NonBlockingReads(); the HTTP server calls them
  // on its event loop only then, and keeps the thread pool otherwise.
  virtual bool NonBlockingReads() const { return false; }
  virtual void FindUserByIdAsync(const std::string& id, ResultCallback<User> done) { done(FindUserById(id)); }
  virtual void GetFileAsync(const std::string& id, ResultCallback<FileRecord> done) { done(GetFile(id)); }
  virtual void ListFilesAsync(const ListQuery& query, ResultCallback<FilePage> done) { done(ListFiles(query)); }
};

}  // namespace arca
