#include "adapters/postgres/pg_row_cache.hpp"

#include <poll.h>

#include <cerrno>
#include <optional>
#include <string_view>

#include "adapters/postgres/pg_pool.hpp"
#include "app/log.hpp"

namespace arca::postgres {

FileRowCache::FileRowCache(std::string url, std::chrono::milliseconds ttl, size_t capacity)
    : url_(std::move(url)), ttl_(ttl), capacity_(capacity), listener_([this] { Listen(); }) {}

FileRowCache::~FileRowCache() {
  stop_ = true;
  listener_.join();
}

FileRowCache::Lookup FileRowCache::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(id);
  if (it == rows_.end()) return {std::nullopt, generation_};
  if (std::chrono::steady_clock::now() > it->second.expires) {
    rows_.erase(it);
    return {std::nullopt, generation_};
  }
  return {it->second.row, generation_};
}

void FileRowCache::Put(const FileRecord& row, std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (!listening_ || generation != generation_) return;
  if (rows_.size() >= capacity_) rows_.clear();  // crude, but bounded and rare
  rows_[row.id] = {row, std::chrono::steady_clock::now() + ttl_};
}

void FileRowCache::Drop(const std::string& id) {
  std::lock_guard lock(mu_);
  rows_.erase(id);
  ++generation_;  // a read that started before the write must not put the old row back
}

bool FileRowCache::Listening() {
  std::lock_guard lock(mu_);
  return listening_;
}

void FileRowCache::SetListening(bool on) {
  std::lock_guard lock(mu_);
  // Both ways everything goes: notifications may have been missed while
  // nobody listened, and nothing is kept while nobody does.
  rows_.clear();
  ++generation_;
  listening_ = on;
}

namespace {

// Connects with a deadline, so a host that does not answer cannot hold the
// listener (and the destructor that joins it) for the kernel's TCP timeout.
ConnHandle ConnectListener(const std::string& url) {
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), "3", nullptr};
  return ConnHandle(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
}

}  // namespace

void FileRowCache::Listen() {
  using Clock = std::chrono::steady_clock;
  auto pause = [this](std::chrono::milliseconds d) {
    for (auto t = std::chrono::milliseconds(0); t < d && !stop_; t += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  bool warned = false;
  while (!stop_) {
    ConnHandle c = ConnectListener(url_);
    ResultHandle r(c && PQstatus(c.get()) == CONNECTION_OK ? PQexec(c.get(), "LISTEN arca_file_changed") : nullptr);
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      if (!warned) log::Warn("file row cache off: cannot listen for changes", {{"error", c ? PQerrorMessage(c.get()) : ""}});
      warned = true;
      pause(std::chrono::seconds(1));
      continue;
    }
    // A heartbeat proves the notices still reach us: once a second this
    // session notifies its own channel and must hear itself within 2 s. A
    // connection that died without a word, or a pooler in transaction mode
    // (which runs LISTEN on one server connection and NOTIFY on another),
    // never echoes; rows are then not kept, rather than kept unannounced.
    const std::string beat = "heartbeat:" + std::to_string(PQbackendPID(c.get()));
    const std::string beat_sql = "NOTIFY arca_file_changed, '" + beat + "'";
    auto next_beat = Clock::now();
    std::optional<Clock::time_point> beat_sent;
    bool heard = false;  // the first echo turns keeping rows on
    while (!stop_) {
      const auto now = Clock::now();
      if (!beat_sent && now >= next_beat) {
        if (!PQsendQuery(c.get(), beat_sql.c_str()) || PQflush(c.get()) != 0) break;
        beat_sent = now;
      }
      if (beat_sent && now - *beat_sent > std::chrono::seconds(2)) {
        if (heard || !warned) log::Warn("file row cache off: change notices stopped arriving");
        warned = true;
        break;
      }
      pollfd p{PQsocket(c.get()), POLLIN, 0};
      const int ready = poll(&p, 1, 200);  // wakes to see stop_ and the heartbeat's time
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      if (!PQconsumeInput(c.get())) break;  // the connection is gone
      while (!PQisBusy(c.get())) {          // the NOTIFY's own answer
        ResultHandle done(PQgetResult(c.get()));
        if (!done) break;
      }
      while (PGnotify* n = PQnotifies(c.get())) {
        const std::string_view what = n->extra;
        if (what == beat) {
          beat_sent.reset();
          next_beat = Clock::now() + std::chrono::seconds(1);
          if (!heard) SetListening(true);
          heard = true;
          warned = false;
        } else if (what.substr(0, 10) != "heartbeat:") {  // other nodes' heartbeats change nothing
          Drop(std::string(what));
        }
        PQfreemem(n);
      }
    }
    SetListening(false);
    if (!stop_) pause(std::chrono::milliseconds(200));
  }
}

}  // namespace arca::postgres
