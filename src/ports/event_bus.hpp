// EventBus: durable topics with consumer groups. Adapters: embedded_queue
// (a table in the metadata database, SQLite or PostgreSQL), kafka. Messages are the JSON
// of core/events.hpp; the key is the file id, and messages of one key are
// delivered in order within a topic.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace arca {

struct Message {
  std::string topic;
  std::string key;
  std::string payload;
  int attempts = 0;     // deliveries before this one
  std::string handle;   // adapter-specific, for Ack/Fail
};

// One consumer of a group. Not thread-safe: one thread polls and acks.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Waits up to `wait` for messages; returns at most `max`.
  virtual Result<std::vector<Message>> Poll(size_t max, std::chrono::milliseconds wait) = 0;
  // The effect is durable: the message is never delivered to this group again.
  virtual Status Ack(const Message& m) = 0;
  // Retry later with backoff, or move to "<topic>.dlq" with the error once
  // attempts run out or when `retryable` is false.
  virtual Status Fail(const Message& m, const std::string& error, bool retryable) = 0;
  // Gives back messages polled but not acked (clean shutdown).
  virtual void Release() = 0;
};

class EventBus {
 public:
  virtual ~EventBus() = default;
  virtual Status Prepare() = 0;
  virtual Status Ping() = 0;
  // Returns OK only once the message is durably stored.
  virtual Status Publish(const std::string& topic, const std::string& key, const std::string& payload) = 0;
  virtual Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                          const std::vector<std::string>& topics) = 0;
  // Messages not yet acked, over all topics and groups (a gauge for /metrics).
  virtual Result<std::int64_t> Depth() = 0;
};

}  // namespace arca
