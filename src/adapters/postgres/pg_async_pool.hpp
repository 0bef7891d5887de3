// PostgreSQL connections driven by the HTTP server's Asio event loop, for
// the reads of the hot path. libpq runs in non-blocking mode and the loop
// watches each connection's socket, so a query holds no thread while the
// database works and needs no hand-off to a thread pool and back
// (docs/performance.md measured those hand-offs as the largest cost of a
// small request). Asio stays inside the .cpp: this header only names the
// io_context.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/postgres/pg_pool.hpp"

namespace boost::asio {
class io_context;
}

namespace arca::postgres {

class AsyncPool {
 public:
  // Up to `size` connections, opened on demand (the same session set-up and
  // per-connection prepared statements as Pool), each running one query at a
  // time. Queries beyond that wait in order for a free connection.
  AsyncPool(std::string url, int size, boost::asio::io_context& loop);
  // Closes the idle connections. Call it only when no thread runs `loop`
  // any more and before `loop` is destroyed (the sockets belong to it).
  ~AsyncPool();
  AsyncPool(const AsyncPool&) = delete;
  AsyncPool& operator=(const AsyncPool&) = delete;

  // True on the thread running `loop`: where Exec may be called.
  bool RunningInThisThread() const;

  // Runs `sql` as a named prepared statement (StatementName; prepared on
  // first use per connection). Call it from the thread running `loop`;
  // `done` is called exactly once on that thread, maybe before Exec returns.
  // Failures are Pool's: kUnavailable ("database_unavailable") when the
  // server cannot be reached or the connection drops, after which that
  // connection is dropped and the next query opens a fresh one.
  // Thread-safe. A `done` that throws loses its exception here.
  void Exec(std::string sql, Params params, std::function<void(Result<Rows>)> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace arca::postgres
