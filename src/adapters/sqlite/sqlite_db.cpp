#include "adapters/sqlite/sqlite_db.hpp"

#include <filesystem>

namespace arca::sqlite {

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  if (rc != SQLITE_OK) {
    error_ = sqlite3_errmsg(db);
    failed_ = true;
    rc_ = rc;
    return;
  }
  stmt_.reset(raw);
}

Stmt& Stmt::Bind(int idx, std::string_view v) {
  if (stmt_) sqlite3_bind_text(stmt_.get(), idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindInt(int idx, std::int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_.get(), idx, v);
  return *this;
}
Stmt& Stmt::BindNull(int idx) {
  if (stmt_) sqlite3_bind_null(stmt_.get(), idx);
  return *this;
}

bool Stmt::Step() {
  if (!stmt_ || failed_) return false;
  rc_ = sqlite3_step(stmt_.get());
  if (rc_ == SQLITE_ROW) return true;
  if (rc_ != SQLITE_DONE) {
    failed_ = true;
    error_ = sqlite3_errmsg(db_);
  }
  return false;
}

std::string Stmt::Text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  int n = sqlite3_column_bytes(stmt_.get(), col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}
std::int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

Result<DbHandle> Open(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK)
    return Unavailable("database_unavailable",
                       "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  sqlite3_busy_timeout(db.get(), 10000);
  // WAL lets readers run beside the single writer; NORMAL sync is durable
  // across process crashes (a power cut may lose the last commits, as documented).
  ARCA_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return db;
}

Status Exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Unavailable("database_error", msg);
  }
  return Status::Ok();
}

Status StatusFromStmt(const Stmt& s, std::string_view what) {
  if (!s.failed()) return Status::Ok();
  int primary = s.rc() & 0xFF;
  if (primary == SQLITE_CONSTRAINT) return Conflict("constraint_violation", std::string(what) + ": " + s.error());
  return Unavailable("database_error", std::string(what) + ": " + s.error());
}

Transaction::Transaction(sqlite3* db) : db_(db) {
  begin_ = Exec(db, "BEGIN IMMEDIATE");
  open_ = begin_.ok();
}
Transaction::~Transaction() {
  if (open_) (void)Exec(db_, "ROLLBACK");
}
Status Transaction::Commit() {
  Status st = Exec(db_, "COMMIT");
  if (st.ok()) open_ = false;
  return st;
}

}  // namespace arca::sqlite
