// How Arca talks to a Kafka cluster: which brokers, how topics it creates
// are laid out, and how consumers retry before a message is dead-lettered.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace arca::kafka {

struct KafkaOptions {
  std::string brokers;  // "host:port,host:port", librdkafka's bootstrap.servers
  // Topics Prepare() creates when missing, each with its "<topic>.dlq".
  std::vector<std::string> topics;
  int partitions = 6;    // for topics Arca creates; more partitions, more workers per group
  int replication = -1;  // -1: the broker's default.replication.factor
  // The API waits this long for the broker to confirm a message; after it
  // the upload fails with 503 instead of answering 202.
  std::chrono::milliseconds publish_timeout{5000};
  int max_attempts = 5;  // deliveries before "<topic>.dlq"
  std::chrono::milliseconds base_backoff{500};
  // A worker killed without leaving the group holds its partitions this long.
  std::chrono::milliseconds session_timeout{10000};
  // Which group works each topic (topic -> group): Depth() reports their lag
  // even when no consumer of the group runs in this process.
  std::map<std::string, std::string> role_groups;
  // Put before every topic and group name, so several Arca installations
  // (or test cases) can share one cluster without seeing each other.
  std::string name_prefix;
  // Where the client's own log lines go (adapters do not include app/;
  // the CLI passes Arca's JSON logger). `warning` false is informational.
  std::function<void(bool warning, const std::string& what, const std::string& detail)> log;
};

// "kafka://host:port[,host:port…]" -> "host:port,…" (bootstrap.servers).
Result<std::string> ParseBrokerUrl(const std::string& url);

}  // namespace arca::kafka
