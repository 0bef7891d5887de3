// The embedded broker on PostgreSQL: the same delivery table as the SQLite
// queue, claimed with FOR UPDATE SKIP LOCKED so any number of worker
// processes can share it without handing one message to two of them.
#pragma once


#include "adapters/leased_queue/leased_subscription.hpp"
#include "adapters/postgres/pg_pool.hpp"
#include "ports/event_bus.hpp"

namespace arca::postgres {

using PgQueueOptions = leased_queue::QueueOptions;

class PgQueue : public EventBus {
 public:
  PgQueue(std::string url, int pool_size, PgQueueOptions opts = {}) : pool_(std::move(url), pool_size), opts_(opts) {}

  Status Prepare() override;
  Status Ping() override;
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override;
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                  const std::vector<std::string>& topics) override;
  Result<std::int64_t> Depth() override;

  Result<std::vector<Message>> Claim(const std::string& group, const std::vector<std::string>& topics, size_t max);
  Status Ack(const Message& m);
  Status Fail(const std::string& group, const Message& m, const std::string& error, bool retryable);
  Status Release(const Message& m);
  leased_queue::PublishSignal& published() { return published_; }
  const PgQueueOptions& options() const { return opts_; }

 private:
  Status DeadLetter(Conn& c, const std::string& group, const Message& m, const std::string& error);
  Pool pool_;
  PgQueueOptions opts_;
  leased_queue::PublishSignal published_;
};

}  // namespace arca::postgres
