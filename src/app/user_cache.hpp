// Remembers, for a few seconds, the caller each user looked up by token
// makes (no password hash), so the hot read path (token check → one
// indexed row → answer) costs one database query, not two.
// A change to a user (none exist in the API yet) shows after at most `ttl`.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/caller.hpp"
#include "core/file_record.hpp"

namespace arca {

class UserCache {
 public:
  explicit UserCache(std::chrono::milliseconds ttl = std::chrono::seconds(5), size_t capacity = 10000)
      : ttl_(ttl), capacity_(capacity) {}

  // The caller the user makes: only what a request needs (no password hash).
  std::optional<Caller> Get(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || std::chrono::steady_clock::now() > it->second.expires) return std::nullopt;
    return it->second.caller;
  }
  void Put(const User& u) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= capacity_) entries_.clear();  // crude, but bounded and rare
    entries_[u.id] = {Caller{u.id, u.username, u.is_admin}, std::chrono::steady_clock::now() + ttl_};
  }

 private:
  struct Entry {
    Caller caller;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace arca
