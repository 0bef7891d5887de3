// The file rows the hot reads (GET /api/files/{id}, /download) found, kept
// in the API process until PostgreSQL says they changed. Every UPDATE or
// DELETE of a file row, by any process (API node, worker, reconciler),
// fires a trigger that NOTIFYs `arca_file_changed` with the id (schema
// migration 3); a listener thread here drops that row at once. A cached
// row is also dropped after `ttl`, and all of them whenever the listener is
// not connected, so a lost notification cannot keep a row for longer. The
// listener also notifies itself once a second and stops keeping rows when
// that echo fails to come back within 2 s (a silently dead connection, a
// pooler that does not carry LISTEN).
//
// Why: a lookup costs PostgreSQL 30-40 µs of CPU, more than the rest of a
// /download request together (docs/performance.md), and a file that is
// downloaded is often downloaded again soon. What it costs: a change made
// on another API node shows there after the notification arrives (about a
// millisecond) instead of at once; on the node that made it, at once
// (PgMetadataStore drops the row itself after each write).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/file_record.hpp"

namespace arca::postgres {

class FileRowCache {
 public:
  FileRowCache(std::string url, std::chrono::milliseconds ttl = std::chrono::seconds(5), size_t capacity = 10000);
  // Stops the listener.
  ~FileRowCache();
  FileRowCache(const FileRowCache&) = delete;
  FileRowCache& operator=(const FileRowCache&) = delete;

  // The kept row, or the generation to hand to Put with what the database
  // then answers: the row is kept only if nothing changed meanwhile (a
  // notification, a write here, the listener dropping).
  struct Lookup {
    std::optional<FileRecord> row;
    std::uint64_t generation = 0;
  };
  Lookup Get(const std::string& id);
  void Put(const FileRecord& row, std::uint64_t generation);
  // After a write to the row, in this process.
  void Drop(const std::string& id);
  // True while notifications arrive (nothing is kept otherwise).
  bool Listening();

 private:
  struct Entry {
    FileRecord row;
    std::chrono::steady_clock::time_point expires;
  };
  void Listen();
  void SetListening(bool on);

  const std::string url_;
  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> rows_;  // guarded by mu_
  std::uint64_t generation_ = 0;                 // guarded by mu_
  bool listening_ = false;                       // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread listener_;
};

}  // namespace arca::postgres
