// KafkaBus: the EventBus port on Apache Kafka through librdkafka.
// Publishing uses one idempotent producer (acks=all) and returns only once
// the broker's delivery report says the message is stored, so the API never
// answers 202 for an event that was not written. Consumers are
// KafkaSubscription (one Kafka consumer group per role).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/kafka/kafka_config.hpp"
#include "adapters/kafka/kafka_options.hpp"
#include "ports/event_bus.hpp"

namespace arca::kafka {

class KafkaBus : public EventBus {
 public:
  static Result<std::unique_ptr<KafkaBus>> Open(KafkaOptions options);
  ~KafkaBus() override;

  Status Prepare() override;
  Status Ping() override;
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override;
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                  const std::vector<std::string>& topics) override;
  // Consumer lag (end offset minus committed offset) of the role groups and
  // of the groups subscribed through this bus, dead-letter topics left out.
  // Offsets are committed every auto.commit.interval.ms, so it trails acks.
  Result<std::int64_t> Depth() override;

  // For KafkaSubscription: names as the cluster knows them, and the
  // producer that dead letters go through.
  std::string FullName(const std::string& name) const { return options_.name_prefix + name; }
  std::string ShortName(const std::string& full) const;
  Status PublishFull(const std::string& full_topic, const std::string& key, const std::string& payload);
  const KafkaOptions& options() const { return options_; }
  LogEvents& log_events() { return log_events_; }

 private:
  class DeliveryReports;
  explicit KafkaBus(KafkaOptions options);
  Status EnsureTopics(const std::vector<std::string>& full_names);
  Result<RdKafka::KafkaConsumer*> LagReader(const std::string& full_group);

  KafkaOptions options_;
  LogEvents log_events_{options_};
  std::unique_ptr<DeliveryReports> reports_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::thread poller_;  // serves delivery reports
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::set<std::string> known_topics_;                               // exist on the cluster
  std::set<std::pair<std::string, std::string>> followed_;           // (full group, full topic)
  std::mutex lag_mu_;
  std::map<std::string, std::unique_ptr<RdKafka::KafkaConsumer>> lag_readers_;  // by full group, never subscribed; lag_mu_
};

}  // namespace arca::kafka
