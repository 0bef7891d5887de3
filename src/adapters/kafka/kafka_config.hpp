// librdkafka glue shared by the producer, the consumers and the admin calls:
// building a configuration and turning librdkafka errors into Status.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "adapters/kafka/kafka_options.hpp"
#include "core/status.hpp"

namespace arca::kafka {

// Passes librdkafka's log lines and client errors to KafkaOptions::log
// instead of its "%4|…" lines on stderr.
class LogEvents : public RdKafka::EventCb {
 public:
  explicit LogEvents(const KafkaOptions& o) : options_(o) {}
  void event_cb(RdKafka::Event& e) override;

 private:
  const KafkaOptions& options_;
};

// A property librdkafka rejects is reported with its name (a bad setting,
// or a librdkafka too old for it).
Result<std::unique_ptr<RdKafka::Conf>> MakeConf(const std::map<std::string, std::string>& props, LogEvents& events);

// Kafka's answer as a Status: "broker_unavailable" (retryable) for what a
// later attempt can fix — timeouts, lost connections, leader changes — and
// "broker_rejected" for what it cannot (authorization, size, bad names).
Status FromKafka(RdKafka::ErrorCode err, const std::string& what);

}  // namespace arca::kafka
