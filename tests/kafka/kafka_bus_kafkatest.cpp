// Kafka-only behaviour of KafkaBus, on the real broker named by
// ARCA_TEST_BROKER_URL (scripts/services up starts one). What every broker
// must do is in tests/contract/event_bus_contract_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "adapters/kafka/kafka_bus.hpp"
#include "adapters/kafka/kafka_subscription.hpp"
#include "adapters/kafka/kafka_topics.hpp"

namespace arca {
namespace {
using namespace std::chrono_literals;

std::string Brokers() {
  const char* u = std::getenv("ARCA_TEST_BROKER_URL");
  if (!u || !*u) return "";
  auto b = kafka::ParseBrokerUrl(u);
  return b.ok() ? *b : "";
}

std::unique_ptr<kafka::KafkaBus> OpenBus(const std::string& brokers, std::chrono::milliseconds publish_timeout = 5s) {
  kafka::KafkaOptions o;
  o.brokers = brokers;
  o.topics = {"work"};
  o.partitions = 3;
  o.publish_timeout = publish_timeout;
  o.base_backoff = 50ms;
  o.name_prefix = "k" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".";
  auto bus = kafka::KafkaBus::Open(std::move(o));
  EXPECT_TRUE(bus.ok()) << bus.status().message();
  return bus.ok() ? std::move(bus).value() : nullptr;
}

TEST(KafkaBus, BrokerUrlsAreParsedAndBadOnesNamed) {
  EXPECT_EQ(*kafka::ParseBrokerUrl("kafka://a:9092"), "a:9092");
  EXPECT_EQ(*kafka::ParseBrokerUrl("kafka://a:9092,b:9093/"), "a:9092,b:9093");
  for (const char* bad : {"kafka://", "kafka://a", "kafka://a:", "kafka://a:x", "http://a:9092", "kafka://a:1,"}) {
    auto r = kafka::ParseBrokerUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "invalid_setting");
    EXPECT_NE(r.status().message().find("broker_url"), std::string::npos);
  }
}

TEST(KafkaBus, PrepareCreatesEachTopicAndItsDeadLetterTopicWithTheConfiguredPartitions) {
  const std::string brokers = Brokers();
  if (brokers.empty()) GTEST_SKIP() << "ARCA_TEST_BROKER_URL not set";
  auto bus = OpenBus(brokers);
  ASSERT_TRUE(bus);
  ASSERT_TRUE(bus->Prepare().ok());
  ASSERT_TRUE(bus->Prepare().ok());  // again: the topics exist, nothing to do

  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  ASSERT_EQ(conf->set("bootstrap.servers", brokers, err), RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::Producer> admin(RdKafka::Producer::create(conf.get(), err));
  ASSERT_TRUE(admin) << err;
  for (const char* t : {"work", "work.dlq"}) {
    auto n = kafka::PartitionCount(*admin, bus->FullName(t), 5s);
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(*n, 3) << t;
  }
  auto none = kafka::PartitionCount(*admin, bus->FullName("never-made"), 5s);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

// The API answers 202 only after the broker confirmed the event; with no
// broker the upload must fail in bounded time with a retryable error.
TEST(KafkaBus, PublishWithNoBrokerFailsWithinTheTimeout) {
  auto bus = OpenBus("127.0.0.1:1", 1500ms);  // nothing listens on port 1
  ASSERT_TRUE(bus);
  EXPECT_FALSE(bus->Ping().ok());
  const auto start = std::chrono::steady_clock::now();
  Status st = bus->Publish("work", "k", "{}");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.retryable()) << st.message();
  EXPECT_EQ(st.code(), "broker_unavailable");
  EXPECT_LT(took, 15s);  // topic creation (10 s admin timeout) or delivery (1.5 s), never a hang
}

// An ack that arrives after the member lost the partition must not be
// committed: the message is delivered again in the group.
TEST(KafkaBus, AckAfterARebalanceDoesNotCommitAndTheMessageComesAgain) {
  const std::string brokers = Brokers();
  if (brokers.empty()) GTEST_SKIP() << "ARCA_TEST_BROKER_URL not set";
  auto bus = OpenBus(brokers);
  ASSERT_TRUE(bus);
  ASSERT_TRUE(bus->Prepare().ok());
  auto a = bus->Subscribe("g", {"work"});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(bus->Publish("work", "file-1", "m1").ok());
  std::vector<Message> got;
  for (auto deadline = std::chrono::steady_clock::now() + 20s; got.empty() && std::chrono::steady_clock::now() < deadline;)
    got = *(*a)->Poll(1, 200ms);
  ASSERT_EQ(got.size(), 1u);

  // A second member joins; both poll (a rebalance needs every member to).
  auto b = bus->Subscribe("g", {"work"});
  ASSERT_TRUE(b.ok());
  auto* b_member = dynamic_cast<kafka::KafkaSubscription*>(b->get());
  ASSERT_NE(b_member, nullptr);
  std::mutex mu;
  std::vector<Message> again;
  std::atomic<bool> stop{false};
  std::thread tb([&] {
    while (!stop) {
      auto r = (*b)->Poll(1, 100ms);
      if (r.ok() && !r->empty()) {
        std::lock_guard lock(mu);
        again.insert(again.end(), r->begin(), r->end());
        (void)(*b)->Ack(r->front());
      }
    }
  });
  auto poll_a = [&] {
    auto r = (*a)->Poll(1, 100ms);
    ASSERT_TRUE(r.ok());
    if (!r->empty()) {
      ASSERT_EQ(r->front().payload, "m1");
      std::lock_guard lock(mu);
      again.push_back(r->front());
      (void)(*a)->Ack(r->front());
    }
  };
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       b_member->AssignedCount() == 0 && std::chrono::steady_clock::now() < deadline;)
    ASSERT_NO_FATAL_FAILURE(poll_a());
  ASSERT_GT(b_member->AssignedCount(), 0) << "the group did not rebalance";

  // The first delivery's ack comes late, after A gave its partitions up.
  ASSERT_TRUE((*a)->Ack(got[0]).ok());
  for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
    ASSERT_NO_FATAL_FAILURE(poll_a());
    std::lock_guard lock(mu);
    if (!again.empty()) break;
  }
  for (int i = 0; i < 10; ++i) ASSERT_NO_FATAL_FAILURE(poll_a());  // room for a duplicate
  stop = true;
  tb.join();
  ASSERT_EQ(again.size(), 1u) << "the message must be delivered exactly once more";
  EXPECT_EQ(again[0].payload, "m1");
}

// A retry holds back its own partition only: other keys keep flowing.
TEST(KafkaBus, ARetryingMessageDoesNotHoldBackOtherPartitions) {
  const std::string brokers = Brokers();
  if (brokers.empty()) GTEST_SKIP() << "ARCA_TEST_BROKER_URL not set";
  auto bus = OpenBus(brokers);
  ASSERT_TRUE(bus);
  ASSERT_TRUE(bus->Prepare().ok());
  auto sub = bus->Subscribe("g", {"work"});
  ASSERT_TRUE(sub.ok());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(bus->Publish("work", "key-" + std::to_string(i), std::to_string(i)).ok());
  std::set<std::string> done;
  int failures = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (done.size() < 30 && std::chrono::steady_clock::now() < deadline) {
    auto r = (*sub)->Poll(10, 100ms);
    ASSERT_TRUE(r.ok());
    for (auto& m : *r) {
      // "0" fails twice (retryable) before it succeeds.
      if (m.payload == "0" && m.attempts < 2) {
        EXPECT_EQ(m.attempts, failures);
        ++failures;
        ASSERT_TRUE((*sub)->Fail(m, "busy", true).ok());
        continue;
      }
      done.insert(m.payload);
      ASSERT_TRUE((*sub)->Ack(m).ok());
    }
  }
  EXPECT_EQ(done.size(), 30u);
  EXPECT_EQ(failures, 2);
}

}  // namespace
}  // namespace arca
