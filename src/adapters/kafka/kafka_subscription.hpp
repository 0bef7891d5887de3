// One member of a Kafka consumer group. Offsets are stored by hand and only
// for settled messages (acked, or safely in the dead-letter topic), and only
// up to the first message still in hand, so a crash re-delivers everything
// whose effect may not be durable. librdkafka commits the stored offsets
// every auto.commit.interval.ms, on rebalance and on close.
//
// A retryable failure pauses the message's partition for a backoff and
// rewinds it to that message: the partition waits (later messages of the
// same key stay behind it) while other partitions go on. After
// max_attempts deliveries, or at once for a non-retryable failure, the
// message goes to "<topic>.dlq" with the error and the attempt count, and
// the partition moves on.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "adapters/kafka/kafka_bus.hpp"

namespace arca::kafka {

class KafkaSubscription : public Subscription, private RdKafka::RebalanceCb {
 public:
  static Result<std::unique_ptr<Subscription>> Create(KafkaBus& bus, const std::string& full_group,
                                                      const std::vector<std::string>& full_topics);
  ~KafkaSubscription() override;

  Result<std::vector<Message>> Poll(size_t max, std::chrono::milliseconds wait) override;
  Status Ack(const Message& m) override;
  Status Fail(const Message& m, const std::string& error, bool retryable) override;
  void Release() override;

  // Partitions this member holds now; readable from any thread (tests wait
  // on it for a rebalance to finish).
  int AssignedCount() const { return assigned_count_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  using PartitionKey = std::pair<std::string, std::int32_t>;  // full topic, partition
  struct Partition {
    std::set<std::int64_t> in_hand;          // polled, not yet settled
    std::int64_t settled_below = -1;         // every polled offset below it is settled
    std::int64_t stored = -1;                // last offset handed to offsets_store
    std::map<std::int64_t, int> attempts;    // failed deliveries so far, by offset
    std::optional<Clock::time_point> paused_until;
    std::int64_t rewind_to = -1;             // where a paused partition resumes
  };
  struct Where {
    PartitionKey key;
    std::int64_t offset = 0;
  };

  explicit KafkaSubscription(KafkaBus& bus) : bus_(bus) {}
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;
  static std::string MakeHandle(const RdKafka::Message& m);
  static std::optional<Where> ParseHandle(const std::string& handle);
  Partition* Find(const PartitionKey& key);
  void Settle(const PartitionKey& key, Partition& p, std::int64_t offset);
  void StoreCommittable(const PartitionKey& key, Partition& p);
  void Rewind(const PartitionKey& key, Partition& p, std::int64_t offset, std::chrono::milliseconds backoff);
  void ResumeDue();
  std::chrono::milliseconds Backoff(int attempts) const;

  KafkaBus& bus_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<PartitionKey, Partition> partitions_;  // those assigned to this member
  std::atomic<int> assigned_count_{0};
};

}  // namespace arca::kafka
