#include "adapters/postgres/pg_pool.hpp"

#include <poll.h>

#include <functional>
#include <thread>


namespace arca::postgres {

Status StatusFromResult(PGconn* c, PGresult* r, std::string_view what) {
  std::string msg = std::string(what) + ": " + (r ? PQresultErrorMessage(r) : PQerrorMessage(c));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  if (sqlstate.starts_with("23")) return Conflict("constraint_violation", msg);
  // Class 08: connection exceptions; 57P0x: server shutting down; 40001/40P01: retry the transaction.
  if (PQstatus(c) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("57P") ||
      sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "53300")
    return Unavailable("database_unavailable", msg);
  return Internal("database_error", msg);
}

Result<Rows> RowsFromResult(PGconn* c, ResultHandle r, std::string_view what) {
  auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(std::move(r));
  return StatusFromResult(c, r.get(), what);
}

std::vector<const char*> ParamPointers(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

std::string StatementName(std::string_view sql) { return "s" + std::to_string(std::hash<std::string_view>{}(sql)); }

namespace {
Result<Rows> Check(PGconn* c, PGresult* raw, std::string_view what) { return RowsFromResult(c, ResultHandle(raw), what); }
}  // namespace

Result<Rows> Conn::Exec(std::string_view sql, const Params& params) {
  std::string name = StatementName(sql);
  if (!prepared_.count(name)) {
    std::string text(sql);
    auto prep = Check(c_.get(), PQprepare(c_.get(), name.c_str(), text.c_str(), 0, nullptr), "prepare");
    if (!prep.ok()) {
      broken_ = PQstatus(c_.get()) != CONNECTION_OK;
      return prep.status();
    }
    prepared_.insert(name);
  }
  std::vector<const char*> values = ParamPointers(params);
  auto rows = Check(c_.get(),
                    PQexecPrepared(c_.get(), name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                   nullptr, 0),
                    "query");
  if (!rows.ok()) broken_ = PQstatus(c_.get()) != CONNECTION_OK;
  return rows;
}

Status Conn::Run(std::string_view sql) {
  std::string text(sql);
  auto r = Check(c_.get(), PQexec(c_.get(), text.c_str()), "statement");
  if (!r.ok()) {
    broken_ = PQstatus(c_.get()) != CONNECTION_OK;
    return r.status();
  }
  return Status::Ok();
}

Pool::Pool(std::string url, int size) : url_(std::move(url)), size_(size) {}

Pool::Lease::~Lease() {
  if (conn_) pool_->Return(std::move(conn_));
}

void Pool::Return(std::unique_ptr<Conn> c) {
  {
    std::lock_guard lock(mu_);
    if (c->broken()) {
      --open_;  // dropped; the next Acquire opens a fresh one
    } else {
      idle_.push_back(std::move(c));
    }
  }
  freed_.notify_one();
}

bool Conn::StillOpen() {
  if (broken()) return false;
  // An idle connection has nothing to read, unless the server is hanging
  // up (a restart sends its FATAL message, then closes). Anything waiting
  // means the connection is not worth trusting; opening a new one is cheap.
  pollfd p{PQsocket(c_.get()), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

Result<Pool::Lease> Pool::Acquire(std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  auto backoff = std::chrono::milliseconds(50);
  std::string last_error = "no free connection";
  for (;;) {
    {
      std::unique_lock lock(mu_);
      freed_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < size_; });
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (c->StillOpen()) return Lease(this, std::move(c));
        --open_;  // the server closed it while idle (a restart): open a fresh one
      }
      if (open_ >= size_) return Unavailable("database_unavailable", "all database connections are busy");
      ++open_;  // reserve a slot, connect outside the lock
    }
    ConnHandle c(PQconnectdb(url_.c_str()));
    if (c && PQstatus(c.get()) == CONNECTION_OK) {
      PQclear(PQexec(c.get(), kSessionSetup));
      return Lease(this, std::make_unique<Conn>(std::move(c)));
    }
    last_error = c ? PQerrorMessage(c.get()) : "out of memory";
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    if (std::chrono::steady_clock::now() + backoff >= deadline)
      return Unavailable("database_unavailable", "cannot reach the database: " + last_error);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

}  // namespace arca::postgres
