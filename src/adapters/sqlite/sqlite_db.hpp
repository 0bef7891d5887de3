// A small RAII layer over the SQLite C API, shared by the metadata store and
// the embedded queue. One Db is one connection; callers serialise access.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <concepts>

#include "core/status.hpp"

namespace arca::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  bool ok() const { return stmt_ != nullptr; }
  const std::string& error() const { return error_; }

  Stmt& Bind(int idx, std::string_view v);
  template <std::integral T>
  Stmt& Bind(int idx, T v) {
    return BindInt(idx, static_cast<std::int64_t>(v));
  }
  Stmt& BindValue(int idx, const std::variant<std::int64_t, std::string>& v) {
    if (auto* n = std::get_if<std::int64_t>(&v)) return BindInt(idx, *n);
    return Bind(idx, std::get<std::string>(v));
  }
  Stmt& BindInt(int idx, std::int64_t v);
  Stmt& BindNull(int idx);
  // Returns true while rows remain; false at the end. Errors land in error().
  bool Step();
  bool failed() const { return failed_; }
  int rc() const { return rc_; }

  std::string Text(int col) const;
  std::int64_t Int(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3* db_;
  StmtHandle stmt_;
  std::string error_;
  bool failed_ = false;
  int rc_ = SQLITE_OK;
};

// Opens the database file with WAL, foreign keys and a busy timeout.
Result<DbHandle> Open(const std::string& path);
// Runs statements without results; kUnavailable when the database is busy or unreadable.
Status Exec(sqlite3* db, std::string_view sql);
Status StatusFromStmt(const Stmt& s, std::string_view what);

// BEGIN IMMEDIATE … COMMIT, rolled back unless Commit() is called.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Status status() const { return begin_; }
  Status Commit();

 private:
  sqlite3* db_;
  Status begin_;
  bool open_ = false;
};

}  // namespace arca::sqlite
