#include "adapters/postgres/pg_row_cache.hpp"

#include <poll.h>

#include <cerrno>

#include "adapters/postgres/pg_pool.hpp"
#include "app/log.hpp"

namespace arca::postgres {

FileRowCache::FileRowCache(std::string url, std::chrono::milliseconds ttl, size_t capacity)
    : url_(std::move(url)), ttl_(ttl), capacity_(capacity), listener_([this] { Listen(); }) {}

FileRowCache::~FileRowCache() {
  stop_ = true;
  listener_.join();
}

std::optional<FileRecord> FileRowCache::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(id);
  if (it == rows_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() > it->second.expires) {
    rows_.erase(it);
    return std::nullopt;
  }
  return it->second.row;
}

std::uint64_t FileRowCache::Generation() {
  std::lock_guard lock(mu_);
  return generation_;
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

void FileRowCache::Listen() {
  auto pause = [this](std::chrono::milliseconds d) {
    for (auto t = std::chrono::milliseconds(0); t < d && !stop_; t += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  bool warned = false;
  while (!stop_) {
    ConnHandle c(PQconnectdb(url_.c_str()));
    ResultHandle r(c && PQstatus(c.get()) == CONNECTION_OK ? PQexec(c.get(), "LISTEN arca_file_changed") : nullptr);
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      if (!warned) log::Warn("file row cache off: cannot listen for changes", {{"error", c ? PQerrorMessage(c.get()) : ""}});
      warned = true;
      pause(std::chrono::seconds(1));
      continue;
    }
    warned = false;
    SetListening(true);
    while (!stop_) {
      pollfd p{PQsocket(c.get()), POLLIN, 0};
      const int ready = poll(&p, 1, 200);  // wakes to see stop_
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      if (!PQconsumeInput(c.get())) break;  // the connection is gone
      while (PGnotify* n = PQnotifies(c.get())) {
        Drop(n->extra);
        PQfreemem(n);
      }
    }
    SetListening(false);
  }
}

}  // namespace arca::postgres
