// EventBus inside the embedded SQLite database: a durable table of
// deliveries, one row per (message, consumer group). Publish commits before
// it returns; consumers lease rows, and a lease that is not acked (a crash)
// expires and the row is delivered again.
#pragma once

#include <mutex>

#include "adapters/leased_queue/leased_subscription.hpp"
#include "adapters/sqlite/sqlite_db.hpp"
#include "ports/event_bus.hpp"

namespace arca::embedded_queue {

using QueueOptions = leased_queue::QueueOptions;

class SqliteQueue : public EventBus {
 public:
  static Result<std::unique_ptr<SqliteQueue>> Open(const std::string& path, QueueOptions opts = {});

  Status Prepare() override;
  Status Ping() override;
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override;
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                  const std::vector<std::string>& topics) override;
  Result<std::int64_t> Depth() override;

  // Used by subscriptions; public so they need no friendship.
  Result<std::vector<Message>> Claim(const std::string& group, const std::vector<std::string>& topics, size_t max);
  Status Ack(const Message& m);
  Status Fail(const std::string& group, const Message& m, const std::string& error, bool retryable);
  Status Release(const Message& m);
  leased_queue::PublishSignal& published() { return published_; }
  const QueueOptions& options() const { return opts_; }

 private:
  SqliteQueue(sqlite::DbHandle db, QueueOptions opts) : db_(std::move(db)), opts_(opts) {}
  Status InsertForGroups(const std::string& topic, const std::string& key, const std::string& payload);
  // Moves a leased row to "<topic>.dlq" if `token` still matches. Caller holds mu_ in a transaction.
  Status DeadLetterLocked(const std::string& group, std::int64_t id, std::int64_t token, const Message& m,
                          const std::string& error);

  std::mutex mu_;
  sqlite::DbHandle db_;  // guarded by mu_
  QueueOptions opts_;
  leased_queue::PublishSignal published_;
};

}  // namespace arca::embedded_queue
