// A small libpq layer shared by the PostgreSQL metadata store and queue:
// owned handles, a fixed-size connection pool that reconnects with backoff,
// and statements prepared once per connection.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace arca::postgres {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

// Text-format parameters; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;
// libpq's view of them: pointers into `params`, null for SQL NULL.
std::vector<const char*> ParamPointers(const Params& params);

class Rows {
 public:
  explicit Rows(ResultHandle r) : r_(std::move(r)) {}
  int size() const { return PQntuples(r_.get()); }
  std::string Text(int row, int col) const { return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col)); }
  std::int64_t Int(int row, int col) const { return std::stoll(Text(row, col)); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::int64_t Affected() const {
    const char* n = PQcmdTuples(r_.get());
    return (n && *n) ? std::stoll(n) : 0;
  }

 private:
  ResultHandle r_;
};

// One pooled connection. Not thread-safe; owned by one caller at a time.
class Conn {
 public:
  explicit Conn(ConnHandle c) : c_(std::move(c)) {}
  PGconn* get() const { return c_.get(); }
  bool broken() const { return broken_ || PQstatus(c_.get()) != CONNECTION_OK; }
  // False when the server has closed the connection since its last use.
  bool StillOpen();
  // Runs `sql` as a named prepared statement (prepared on first use here).
  Result<Rows> Exec(std::string_view sql, const Params& params = {});
  // Runs statements without parameters (migrations, BEGIN, COMMIT).
  Status Run(std::string_view sql);

 private:
  ConnHandle c_;
  std::set<std::string> prepared_;
  bool broken_ = false;
};

class Pool {
 public:
  // `size` connections at most; they are opened lazily.
  Pool(std::string url, int size);

  // Borrowed connection, returned to the pool when it goes out of scope;
  // a broken one is dropped and a fresh one opened next time.
  class Lease {
   public:
    Lease(Pool* p, std::unique_ptr<Conn> c) : pool_(p), conn_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Conn* operator->() { return conn_.get(); }
    Conn& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // Waits for a free connection, connecting with backoff for up to `patience`;
  // kUnavailable ("database_unavailable") when the server cannot be reached.
  Result<Lease> Acquire(std::chrono::milliseconds patience = std::chrono::milliseconds(3000));
  const std::string& url() const { return url_; }

 private:
  void Return(std::unique_ptr<Conn> c);
  std::string url_;
  int size_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  int open_ = 0;                             // guarded by mu_
};

// Runs `body` inside BEGIN … COMMIT on one connection; rolls back on error.
template <typename F>
Status InTransaction(Conn& c, F&& body) {
  ARCA_RETURN_IF_ERROR(c.Run("BEGIN"));
  Status st = body();
  if (!st.ok()) {
    (void)c.Run("ROLLBACK");
    return st;
  }
  return c.Run("COMMIT");
}

// Maps a failed result to a Status: constraint errors are kConflict,
// connection trouble kUnavailable, the rest kInternal.
Status StatusFromResult(PGconn* c, PGresult* r, std::string_view what);
// The rows of a successful result, or StatusFromResult of a failed (or null) one.
Result<Rows> RowsFromResult(PGconn* c, ResultHandle r, std::string_view what);

// The name a statement is prepared under on each connection. It comes from
// the text, so each distinct query shape (the listing builds a few) is
// planned once per connection, on the blocking and the async path alike.
std::string StatementName(std::string_view sql);

// Sent once on every new connection, so behaviour does not depend on the
// server's defaults.
inline constexpr const char* kSessionSetup = "SET TIME ZONE 'UTC'; SET client_min_messages = warning";

}  // namespace arca::postgres
