// The Subscription shared by the two table-backed brokers (SQLite and
// PostgreSQL): poll by claiming leased rows, wait for local publishes
// between polls, and give back unacked rows on release.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "ports/event_bus.hpp"

namespace arca::leased_queue {

// A claimed row's handle is "<row id>:<attempts after this claim>". The
// attempt count works as a lease token: once a lease expires and another
// consumer claims the row, the count moves on and the first consumer's
// Ack, Fail or Release no longer matches anything.
struct Lease {
  std::int64_t id = 0;
  std::int64_t token = 0;
};
inline std::string MakeHandle(std::int64_t id, std::int64_t token) {
  return std::to_string(id) + ":" + std::to_string(token);
}
inline Lease ParseHandle(const std::string& handle) {
  Lease l;
  size_t colon = handle.find(':');
  l.id = std::stoll(handle.substr(0, colon));
  if (colon != std::string::npos) l.token = std::stoll(handle.substr(colon + 1));
  return l;
}
// How the table-backed brokers lease, retry and give up on messages.
struct QueueOptions {
  std::chrono::seconds lease{60};            // how long a polled message stays invisible to others
  int max_attempts = 5;                      // then it goes to "<topic>.dlq"
  std::chrono::milliseconds base_backoff{500};
  std::chrono::milliseconds idle_poll{250};  // re-check for rows written by other processes
};

// Wakes this process's consumers when it publishes, so an in-process worker
// sees a new message at once; other processes' messages are found by the
// idle poll. Thread-safe.
class PublishSignal {
 public:
  void Notify() {
    {
      std::lock_guard lock(mu_);
      ++count_;
    }
    cv_.notify_all();
  }
  std::uint64_t Count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  // Returns when a publish after `seen` happened, or after `wait`.
  void WaitAfter(std::uint64_t seen, std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return count_ != seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t count_ = 0;  // guarded by mu_
};

// Rows published while no group followed their topic wait under this group
// name; the first group to subscribe takes them over.
inline constexpr const char* kUnclaimedGroup = "*";

// Queue must offer Claim, Ack, Fail, Release, published() (a PublishSignal)
// and options().idle_poll, as SqliteQueue and PgQueue do.
template <typename Queue>
class LeasedSubscription : public Subscription {
 public:
  LeasedSubscription(Queue& q, std::string group, std::vector<std::string> topics)
      : q_(q), group_(std::move(group)), topics_(std::move(topics)) {}
  ~LeasedSubscription() override { Release(); }

  Result<std::vector<Message>> Poll(size_t max, std::chrono::milliseconds wait) override {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const std::uint64_t seen = q_.published().Count();
      auto got = q_.Claim(group_, topics_, max);
      if (!got.ok() || !got->empty()) {
        if (got.ok())
          for (auto& m : *got) in_hand_.push_back(m.handle);
        return got;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return got;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      // Another process's publish is seen at the next idle poll at the latest.
      q_.published().WaitAfter(seen, std::min(left, q_.options().idle_poll));
    }
  }
  Status Ack(const Message& m) override {
    std::erase(in_hand_, m.handle);
    return q_.Ack(m);
  }
  Status Fail(const Message& m, const std::string& error, bool retryable) override {
    std::erase(in_hand_, m.handle);
    return q_.Fail(group_, m, error, retryable);
  }
  void Release() override {
    for (auto& h : in_hand_) (void)q_.Release(Message{"", "", "", 0, h});
    in_hand_.clear();
  }

 private:
  Queue& q_;
  std::string group_;
  std::vector<std::string> topics_;
  std::vector<std::string> in_hand_;  // claimed, not yet acked or failed
};

}  // namespace arca::leased_queue
