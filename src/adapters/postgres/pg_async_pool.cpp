#include "adapters/postgres/pg_async_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>
#include <set>

namespace arca::postgres {
namespace asio = boost::asio;
using asio::awaitable;
using Wait = asio::posix::stream_descriptor::wait_type;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Watches a socket that libpq owns: released, never closed, when it goes,
// because PQfinish closes the fd itself.
class Watch {
 public:
  Watch(asio::io_context& loop, int fd) : d_(loop) { d_.assign(fd, ec_); }
  ~Watch() {
    if (d_.is_open()) d_.release();
  }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;
  // Waits until the socket is ready; false if the loop could not watch it.
  awaitable<bool> Ready(Wait w) {
    if (ec_) co_return false;
    auto [ec] = co_await d_.async_wait(w, kAwait);
    co_return !ec;
  }

 private:
  asio::posix::stream_descriptor d_;
  boost::system::error_code ec_;
};

// One connection on the loop, used by one query at a time.
struct AsyncConn {
  AsyncConn(ConnHandle c, asio::io_context& loop) : pg(std::move(c)), socket(loop, PQsocket(pg.get())) {}
  bool Broken() const { return broken || PQstatus(pg.get()) != CONNECTION_OK; }

  ConnHandle pg;  // declared first: the watch must go before libpq closes the fd
  Watch socket;
  std::set<std::string> prepared;  // statement names, as Conn keeps them
  bool broken = false;
};

// The Status of a failed libpq call, as the blocking path maps it; a
// connection that is no longer OK is marked so the pool drops it.
Status Failed(AsyncConn& c, std::string_view what) {
  c.broken = c.broken || PQstatus(c.pg.get()) != CONNECTION_OK;
  return StatusFromResult(c.pg.get(), nullptr, what);
}
Status Lost(AsyncConn& c, std::string_view what) {
  c.broken = true;
  return Unavailable("database_unavailable", std::string(what) + ": lost the database connection");
}

// Sends what libpq has buffered, then collects the command's results. The
// first failed result is the answer (a multi-statement set-up can fail in
// its second part); otherwise the last one.
awaitable<Result<Rows>> Finish(AsyncConn& c, std::string_view what) {
  PGconn* pg = c.pg.get();
  for (;;) {
    int f = PQflush(pg);
    if (f == 0) break;
    if (f < 0) co_return Failed(c, what);
    // Our statements are small, so this is rare. libpq asks that input be
    // consumed while waiting to send, which the loop here does between waits.
    if (!co_await c.socket.Ready(Wait::wait_write)) co_return Lost(c, what);
    if (!PQconsumeInput(pg)) co_return Failed(c, what);
  }
  // The answer cannot be there yet: wait before reading, which saves a
  // read that would only say "nothing yet".
  ResultHandle answer;
  for (;;) {
    if (!co_await c.socket.Ready(Wait::wait_read)) co_return Lost(c, what);
    if (!PQconsumeInput(pg)) co_return Failed(c, what);
    while (!PQisBusy(pg)) {
      ResultHandle r(PQgetResult(pg));
      if (!r) {
        Result<Rows> rows = RowsFromResult(pg, std::move(answer), what);
        if (!rows.ok()) c.broken = c.broken || PQstatus(pg) != CONNECTION_OK;
        co_return rows;
      }
      const auto st = answer ? PQresultStatus(answer.get()) : PGRES_COMMAND_OK;
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) answer = std::move(r);
    }
  }
}

awaitable<Result<Rows>> RunOn(AsyncConn& c, const std::string& sql, const Params& params) {
  PGconn* pg = c.pg.get();
  const std::string name = StatementName(sql);
  if (!c.prepared.count(name)) {
    if (!PQsendPrepare(pg, name.c_str(), sql.c_str(), 0, nullptr)) co_return Failed(c, "prepare");
    auto prep = co_await Finish(c, "prepare");
    if (!prep.ok()) co_return prep.status();
    c.prepared.insert(name);
  }
  std::vector<const char*> values = ParamPointers(params);
  if (!PQsendQueryPrepared(pg, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0))
    co_return Failed(c, "query");
  co_return co_await Finish(c, "query");
}

Status Unreachable(PGconn* pg) {
  std::string msg = pg ? PQerrorMessage(pg) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return Unavailable("database_unavailable", "cannot reach the database: " + msg);
}

// PQconnectStart/PQconnectPoll, waiting on the loop between steps. As with
// the blocking pool, a host name is resolved inside PQconnectStart (use an
// IP address in the URL to keep that off the loop too), and there is no
// deadline beyond the kernel's own connect timeout.
awaitable<Result<std::unique_ptr<AsyncConn>>> Connect(asio::io_context& loop, const std::string& url) {
  ConnHandle pg(PQconnectStart(url.c_str()));
  auto poll = PGRES_POLLING_WRITING;  // what libpq's documentation says to wait for first
  while (poll != PGRES_POLLING_OK) {
    if (!pg || PQstatus(pg.get()) == CONNECTION_BAD || poll == PGRES_POLLING_FAILED) co_return Unreachable(pg.get());
    // libpq may move to another socket between steps (one per address it
    // tries), so each step watches the current one.
    bool ready;
    {
      Watch step(loop, PQsocket(pg.get()));
      ready = co_await step.Ready(poll == PGRES_POLLING_READING ? Wait::wait_read : Wait::wait_write);
    }
    if (!ready) co_return Unreachable(pg.get());
    poll = PQconnectPoll(pg.get());
  }
  if (PQsetnonblocking(pg.get(), 1) != 0) co_return Unreachable(pg.get());
  auto conn = std::make_unique<AsyncConn>(std::move(pg), loop);
  if (!PQsendQuery(conn->pg.get(), kSessionSetup)) co_return Failed(*conn, "session set-up");
  auto setup = co_await Finish(*conn, "session set-up");
  if (!setup.ok()) co_return setup.status();
  co_return conn;
}

}  // namespace

struct AsyncPool::State {
  // A query waiting for a connection gets one, or null: "a slot is yours,
  // open a connection in it".
  using Waiter = std::function<void(std::unique_ptr<AsyncConn>)>;

  asio::io_context& loop;
  std::string url;
  int size;
  std::mutex mu;
  std::vector<std::unique_ptr<AsyncConn>> idle;  // guarded by mu
  int open = 0;                                  // connections and slots being connected; guarded by mu
  std::deque<Waiter> waiting;                    // guarded by mu

  State(asio::io_context& l, std::string u, int n) : loop(l), url(std::move(u)), size(n) {}

  // Takes an idle connection or a free slot; null if neither (then wait).
  bool TryTake(std::unique_ptr<AsyncConn>& conn) {
    if (!idle.empty()) {
      conn = std::move(idle.back());
      idle.pop_back();
      return true;
    }
    if (open < size) {
      ++open;
      return true;  // conn stays null: connect
    }
    return false;
  }

  awaitable<Result<std::unique_ptr<AsyncConn>>> Acquire() {
    std::unique_ptr<AsyncConn> conn;
    bool taken;
    {
      std::lock_guard lock(mu);
      taken = TryTake(conn);
    }
    if (!taken) {
      conn = co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::unique_ptr<AsyncConn>)>(
          [this](auto handler) {
            // Resumes the waiting query on its own executor, whichever
            // thread releases the connection.
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            Waiter resume = [h](std::unique_ptr<AsyncConn> c) {
              auto ex = asio::get_associated_executor(*h);
              asio::dispatch(ex, [h, c = std::move(c)]() mutable { std::move(*h)(std::move(c)); });
            };
            std::unique_ptr<AsyncConn> now;
            {
              std::lock_guard lock(mu);
              // Checked again under the lock: a release in between must not be missed.
              if (!TryTake(now)) {
                waiting.push_back(std::move(resume));
                return;
              }
            }
            resume(std::move(now));
          },
          asio::use_awaitable);
    }
    if (conn) co_return conn;
    auto fresh = co_await Connect(loop, url);
    if (!fresh.ok()) GiveBackSlot(nullptr);
    co_return fresh;
  }

  // Returns a connection (null: a slot whose connect failed). A broken one
  // is dropped; either way the first waiter, if any, gets what is free.
  void GiveBackSlot(std::unique_ptr<AsyncConn> conn) {
    std::unique_ptr<AsyncConn> dropped;
    Waiter next;
    {
      std::lock_guard lock(mu);
      if (conn && conn->Broken()) dropped = std::move(conn);
      if (!waiting.empty()) {
        next = std::move(waiting.front());
        waiting.pop_front();  // the slot passes on as it is: `open` does not change
      } else if (conn) {
        idle.push_back(std::move(conn));
      } else {
        --open;
      }
    }
    if (next) next(std::move(conn));
  }

  static awaitable<void> Run(std::shared_ptr<State> s, std::string sql, Params params,
                             std::function<void(Result<Rows>)> done) {
    auto conn = co_await s->Acquire();
    if (!conn.ok()) {
      done(conn.status());
      co_return;
    }
    auto rows = co_await RunOn(**conn, sql, params);
    s->GiveBackSlot(std::move(*conn));  // before `done`, so the next query can start at once
    done(std::move(rows));
  }
};

AsyncPool::AsyncPool(std::string url, int size, asio::io_context& loop)
    : state_(std::make_shared<State>(loop, std::move(url), size)) {}

AsyncPool::~AsyncPool() {
  std::lock_guard lock(state_->mu);
  state_->idle.clear();
}

bool AsyncPool::RunningInThisThread() const { return state_->loop.get_executor().running_in_this_thread(); }

void AsyncPool::Exec(std::string sql, Params params, std::function<void(Result<Rows>)> done) {
  // Runs inline up to the first wait (the caller is on the loop already);
  // `detached`: nothing waits for the coroutine, `done` carries the answer.
  asio::co_spawn(state_->loop, State::Run(state_, std::move(sql), std::move(params), std::move(done)), asio::detached);
}

}  // namespace arca::postgres
