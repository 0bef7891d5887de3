// EventBus contract: every adapter of the port (the table-backed queues on
// SQLite and PostgreSQL, and Kafka) must pass these tests. They use the port
// interface only; an adapter joins by adding one line to Factories() at the
// bottom. Two guarantees belong to the table-backed queues only and are
// marked as such: leases that expire while a consumer stays silent, and a
// key held back while its previous message is in hand. Kafka gives the
// first through session timeouts and the second through partition order.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/embedded_queue/sqlite_queue.hpp"
#include "adapters/kafka/kafka_bus.hpp"
#include "adapters/postgres/pg_queue.hpp"
#include "contract/pg_databases.hpp"
#include "core/events.hpp"
#include "contract/temp_dir.hpp"
#include "ports/event_bus.hpp"

namespace arca {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::TempDir;

struct EventBusFactory {
  std::string name;
  // Opens the bus over `dir`. Opening again with the same `dir` must reach
  // the same messages (that is what the durability test checks). The bus
  // must be configured with a lease (visibility timeout) of about 1 s and
  // retries after a short backoff (well under a second).
  std::function<Result<std::unique_ptr<EventBus>>(const fs::path& dir)> open;
  int max_attempts;  // deliveries before a message goes to the dead-letter topic
  bool leases = true;              // a silent consumer's messages go to another after ~1 s
  bool holds_key_in_flight = true;  // a key's next message waits until the one in hand is settled
};
void PrintTo(const EventBusFactory& f, std::ostream* os) { *os << f.name; }

constexpr int kSqliteMaxAttempts = 3;

Result<std::unique_ptr<EventBus>> OpenSqliteQueue(const fs::path& dir) {
  embedded_queue::QueueOptions o;
  o.lease = 1s;
  o.max_attempts = kSqliteMaxAttempts;
  o.base_backoff = 50ms;
  o.idle_poll = 20ms;
  auto q = embedded_queue::SqliteQueue::Open((dir / "queue.db").string(), o);
  if (!q.ok()) return q.status();
  return std::unique_ptr<EventBus>(std::move(q).value());
}

const std::string kTopic = "arquivos-enviados";  // has the default group "metadata" from Prepare
const std::string kGroup = "metadata";

std::string Payload(const std::string& body) {
  return boost::json::serialize(boost::json::object{{"event_id", body}, {"type", "test"}, {"body", body}});
}
std::string BodyOf(const Message& m) {
  auto v = boost::json::parse(m.payload);
  return std::string(v.as_object().at("body").as_string());
}
std::vector<std::string> Bodies(const std::vector<Message>& ms) {
  std::vector<std::string> out;
  for (auto& m : ms) out.push_back(BodyOf(m));
  return out;
}

class EventBusContract : public ::testing::TestWithParam<EventBusFactory> {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Open()); }
  void TearDown() override { Close(); }

  void Open() {
    auto b = GetParam().open(dir_.path());
    ASSERT_TRUE(b.ok()) << b.status().message();
    bus_ = std::move(b).value();
    Status st = bus_->Prepare();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  // Subscriptions go before the bus they came from.
  void Close() {
    subs_.clear();
    bus_.reset();
  }

  Subscription& Subscribe(const std::string& group, const std::string& topic) {
    auto s = bus_->Subscribe(group, {topic});
    EXPECT_TRUE(s.ok()) << s.status().message();
    if (!s.ok()) throw std::runtime_error("subscribe failed");
    subs_.push_back(std::move(s).value());
    return *subs_.back();
  }

  // Closes one subscription (its consumer leaves the group).
  void Drop(Subscription& s) {
    std::erase_if(subs_, [&](const auto& p) { return p.get() == &s; });
  }

  void Publish(const std::string& key, const std::string& body, const std::string& topic = kTopic) {
    Status st = bus_->Publish(topic, key, Payload(body));
    ASSERT_TRUE(st.ok()) << st.message();
  }

  // Polls until `n` messages arrived or `timeout` passed.
  static std::vector<Message> PollUntil(Subscription& s, size_t n, std::chrono::milliseconds timeout = 5s) {
    std::vector<Message> out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto got = s.Poll(n - out.size(), std::max(left, 1ms));
      EXPECT_TRUE(got.ok()) << got.status().message();
      if (!got.ok()) break;
      for (auto& m : *got) out.push_back(std::move(m));
    }
    return out;
  }
  // Expects that nothing arrives for a while.
  static void ExpectNothing(Subscription& s, std::chrono::milliseconds wait = 300ms) {
    auto got = s.Poll(10, wait);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_TRUE(got->empty()) << got->size() << " unexpected message(s), first: " << got->front().payload;
  }
  std::int64_t Depth() {
    auto d = bus_->Depth();
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : -1;
  }
  // Depth is a gauge that may trail acks by a commit interval (Kafka).
  std::int64_t DepthSettlesAt(std::int64_t want) {
    std::int64_t d = Depth();
    for (auto deadline = std::chrono::steady_clock::now() + 5s; d != want && std::chrono::steady_clock::now() < deadline;
         d = Depth())
      std::this_thread::sleep_for(50ms);
    return d;
  }

  TempDir dir_;
  std::unique_ptr<EventBus> bus_;
  std::vector<std::unique_ptr<Subscription>> subs_;
};

TEST_P(EventBusContract, PreparedBusAnswersPingAndPrepareCanRepeat) {
  EXPECT_TRUE(bus_->Ping().ok());
  EXPECT_TRUE(bus_->Prepare().ok());
}

TEST_P(EventBusContract, MessagePublishedBeforeTheDefaultGroupSubscribesReachesIt) {
  Publish("file-1", "hello");
  Subscription& sub = Subscribe(kGroup, kTopic);
  auto got = PollUntil(sub, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, kTopic);
  EXPECT_EQ(got[0].key, "file-1");
  EXPECT_EQ(got[0].payload, Payload("hello"));  // bytes unchanged
  EXPECT_EQ(got[0].attempts, 0);
}

TEST_P(EventBusContract, AckedMessageIsNeverDeliveredAgain) {
  Publish("file-1", "hello");
  EXPECT_GE(Depth(), 1);
  Subscription& sub = Subscribe(kGroup, kTopic);
  auto got = PollUntil(sub, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(sub.Ack(got[0]).ok());
  ExpectNothing(sub);
  EXPECT_EQ(DepthSettlesAt(0), 0);

  sub.Release();  // nothing in hand: nothing comes back
  ExpectNothing(Subscribe(kGroup, kTopic));
}

TEST_P(EventBusContract, UnackedMessageIsRedeliveredAfterRelease) {
  Publish("file-1", "hello");
  Subscription& sub = Subscribe(kGroup, kTopic);
  auto first = PollUntil(sub, 1);
  ASSERT_EQ(first.size(), 1u);
  sub.Release();
  auto again = PollUntil(sub, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].payload, first[0].payload);
  EXPECT_EQ(again[0].key, "file-1");
  ASSERT_TRUE(sub.Ack(again[0]).ok());
  EXPECT_EQ(DepthSettlesAt(0), 0);
}

TEST_P(EventBusContract, UnackedMessageIsRedeliveredAfterTheLeaseExpires) {
  if (!GetParam().leases) GTEST_SKIP() << "no leases: a silent member loses its partitions after the session timeout";
  Publish("file-1", "hello");
  Subscription& crashed = Subscribe(kGroup, kTopic);
  const auto polled_at = std::chrono::steady_clock::now();
  auto first = PollUntil(crashed, 1);
  ASSERT_EQ(first.size(), 1u);

  // Another consumer of the group does not see it while the lease holds...
  Subscription& other = Subscribe(kGroup, kTopic);
  auto early = other.Poll(10, 200ms);
  ASSERT_TRUE(early.ok());
  if (std::chrono::steady_clock::now() - polled_at < 900ms) {  // a loaded machine may get past the lease
    EXPECT_TRUE(early->empty()) << "delivered to a second consumer while leased";
  }
  // ...and gets it once the lease of the silent consumer ran out.
  auto again = early->empty() ? PollUntil(other, 1, 5s) : *early;
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].payload, first[0].payload);
  EXPECT_GE(again[0].attempts, 1);
  ASSERT_TRUE(other.Ack(again[0]).ok());
  EXPECT_EQ(DepthSettlesAt(0), 0);
}

TEST_P(EventBusContract, EveryGroupGetsEveryMessage) {
  Subscription& a = Subscribe("group-a", kTopic);
  Subscription& b = Subscribe("group-b", kTopic);
  for (int i = 0; i < 5; ++i) Publish("file-" + std::to_string(i), "m" + std::to_string(i));

  for (Subscription* s : {&a, &b}) {
    auto got = PollUntil(*s, 5);
    ASSERT_EQ(got.size(), 5u);
    std::vector<std::string> bodies = Bodies(got);
    std::sort(bodies.begin(), bodies.end());
    EXPECT_EQ(bodies, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
    for (auto& m : got) ASSERT_TRUE(s->Ack(m).ok());
  }
  // Acks of one group do not consume the other group's copy, and vice versa.
  ExpectNothing(a);
  ExpectNothing(b);
}

TEST_P(EventBusContract, ConsumersOfOneGroupShareTheWorkWithoutDuplicates) {
  const std::string topic = "shared-work";  // no default groups, so Depth is this group's alone
  Subscription& a = Subscribe("group-a", topic);
  Subscription& b = Subscribe("group-a", topic);
  constexpr int kCount = 40;
  for (int i = 0; i < kCount; ++i) Publish("file-" + std::to_string(i), "m" + std::to_string(i), topic);

  std::vector<std::string> got_a, got_b;
  auto consume = [](Subscription& s, std::vector<std::string>& out, std::atomic<int>& total) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (total < kCount && std::chrono::steady_clock::now() < deadline) {
      auto got = s.Poll(3, 50ms);
      if (!got.ok()) return;
      for (auto& m : *got) {
        out.push_back(BodyOf(m));
        if (!s.Ack(m).ok()) return;
        ++total;
      }
    }
  };
  std::atomic<int> total{0};
  std::thread ta([&] { consume(a, got_a, total); });
  std::thread tb([&] { consume(b, got_b, total); });
  ta.join();
  tb.join();

  std::vector<std::string> all = got_a;
  all.insert(all.end(), got_b.begin(), got_b.end());
  std::sort(all.begin(), all.end());
  std::vector<std::string> want;
  for (int i = 0; i < kCount; ++i) want.push_back("m" + std::to_string(i));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(all, want);  // each message once, to one of the two consumers
  EXPECT_EQ(DepthSettlesAt(0), 0);
}

TEST_P(EventBusContract, TopicsAreSeparate) {
  Subscription& sub = Subscribe("group-a", "topic-one");
  Publish("k", "elsewhere", "topic-two");
  Publish("k", "here", "topic-one");
  auto got = PollUntil(sub, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(BodyOf(got[0]), "here");
  EXPECT_EQ(got[0].topic, "topic-one");
  ASSERT_TRUE(sub.Ack(got[0]).ok());
  ExpectNothing(sub);
}

TEST_P(EventBusContract, MessagesOfOneKeyArriveInPublishOrder) {
  Subscription& sub = Subscribe("group-a", kTopic);
  for (int i = 0; i < 6; ++i) Publish("same-key", "m" + std::to_string(i));
  std::vector<std::string> seen;
  while (seen.size() < 6) {
    auto got = PollUntil(sub, 1);
    ASSERT_EQ(got.size(), 1u) << "after " << seen.size();
    seen.push_back(BodyOf(got[0]));
    ASSERT_TRUE(sub.Ack(got[0]).ok());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4", "m5"}));
}

TEST_P(EventBusContract, NextMessageOfAKeyWaitsWhileTheFirstIsInFlight) {
  if (!GetParam().holds_key_in_flight) GTEST_SKIP() << "keys keep their order through partition order instead";
  Subscription& sub = Subscribe("group-a", kTopic);
  Publish("k1", "k1-first");
  Publish("k2", "k2-only");
  Publish("k1", "k1-second");

  auto got = PollUntil(sub, 2);
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::string> bodies = Bodies(got);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"k1-first", "k2-only"}));
  ExpectNothing(sub, 200ms);  // k1-second waits for k1-first (well inside the 1 s lease)

  for (auto& m : got) {
    if (BodyOf(m) == "k1-first") {
      ASSERT_TRUE(sub.Ack(m).ok());
    }
  }
  auto next = PollUntil(sub, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(BodyOf(next[0]), "k1-second");
}

TEST_P(EventBusContract, RetryableFailureIsRedeliveredWithAttemptsCounted) {
  Publish("file-1", "flaky");
  Subscription& sub = Subscribe(kGroup, kTopic);
  auto first = PollUntil(sub, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].attempts, 0);
  ASSERT_TRUE(sub.Fail(first[0], "database busy", true).ok());

  auto again = PollUntil(sub, 1, 5s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].payload, first[0].payload);
  EXPECT_EQ(again[0].attempts, 1);
  ASSERT_TRUE(sub.Ack(again[0]).ok());
  ExpectNothing(sub);
}

TEST_P(EventBusContract, MessageFailingEveryAttemptGoesToTheDeadLetterTopic) {
  const int max = GetParam().max_attempts;
  Publish("file-1", "doomed");
  Subscription& sub = Subscribe(kGroup, kTopic);
  for (int i = 0; i < max; ++i) {
    auto got = PollUntil(sub, 1, 10s);
    ASSERT_EQ(got.size(), 1u) << "attempt " << i;
    EXPECT_EQ(got[0].attempts, i);
    ASSERT_TRUE(sub.Fail(got[0], "still broken", true).ok());
  }
  ExpectNothing(sub, 500ms);
  EXPECT_EQ(DepthSettlesAt(0), 0);  // dead letters are not pending work

  Drop(sub);  // a Kafka group rebalances only when every member polls: leave first
  Subscription& dlq = Subscribe(kGroup, Topics::Dlq(kTopic));
  auto dead = PollUntil(dlq, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].topic, kTopic + ".dlq");
  EXPECT_EQ(dead[0].key, "file-1");
  auto o = boost::json::parse(dead[0].payload).as_object();
  EXPECT_EQ(o.at("body").as_string(), "doomed");  // the original message is kept
  EXPECT_EQ(o.at("error").as_string(), "still broken");
  EXPECT_EQ(o.at("attempts").to_number<int>(), max);
  ASSERT_TRUE(dlq.Ack(dead[0]).ok());
}

TEST_P(EventBusContract, NonRetryableFailureGoesStraightToTheDeadLetterTopic) {
  Publish("file-1", "poison");
  Publish("file-1", "after-poison");
  Subscription& sub = Subscribe(kGroup, kTopic);
  auto got = PollUntil(sub, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(BodyOf(got[0]), "poison");
  ASSERT_TRUE(sub.Fail(got[0], "poison_message: not JSON", false).ok());

  // The key is not blocked by its dead message.
  auto next = PollUntil(sub, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(BodyOf(next[0]), "after-poison");
  ASSERT_TRUE(sub.Ack(next[0]).ok());

  Drop(sub);  // a Kafka group rebalances only when every member polls: leave first
  Subscription& dlq = Subscribe(kGroup, Topics::Dlq(kTopic));
  auto dead = PollUntil(dlq, 1);
  ASSERT_EQ(dead.size(), 1u);
  auto o = boost::json::parse(dead[0].payload).as_object();
  EXPECT_EQ(o.at("body").as_string(), "poison");
  EXPECT_EQ(o.at("error").as_string(), "poison_message: not JSON");
  EXPECT_EQ(o.at("attempts").to_number<int>(), 1);
}

TEST_P(EventBusContract, MessagesSurviveClosingAndReopening) {
  Subscription& sub = Subscribe("group-a", kTopic);
  Publish("k1", "acked");
  Publish("k2", "polled-not-acked");
  auto got = PollUntil(sub, 2);
  ASSERT_EQ(got.size(), 2u);
  Publish("k3", "pending");
  for (auto& m : got) {
    if (BodyOf(m) == "acked") {
      ASSERT_TRUE(sub.Ack(m).ok());
    }
  }
  Close();  // "pending" and "polled-not-acked" were never acked

  ASSERT_NO_FATAL_FAILURE(Open());
  Subscription& reopened = Subscribe("group-a", kTopic);
  auto after = PollUntil(reopened, 2, 5s);
  std::vector<std::string> bodies = Bodies(after);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"pending", "polled-not-acked"}));
  ExpectNothing(reopened);
}

// --- adapters ------------------------------------------------------------------

Result<std::unique_ptr<EventBus>> OpenPgQueue(const fs::path& dir) {
  postgres::PgQueueOptions o;
  o.lease = 1s;
  o.max_attempts = kSqliteMaxAttempts;
  o.base_backoff = 50ms;
  o.idle_poll = 20ms;
  return std::unique_ptr<EventBus>(new postgres::PgQueue(testing::PgDatabases::Get().UrlFor(dir), 4, o));
}

const char* KafkaServerUrl() {
  const char* u = std::getenv("ARCA_TEST_BROKER_URL");
  return (u && *u) ? u : nullptr;
}

// Each test directory gets its own topics and groups through the name prefix.
Result<std::unique_ptr<EventBus>> OpenKafka(const fs::path& dir) {
  auto brokers = kafka::ParseBrokerUrl(KafkaServerUrl());
  if (!brokers.ok()) return brokers.status();
  kafka::KafkaOptions o;
  o.brokers = *brokers;
  o.topics = {kTopic};
  o.partitions = 3;
  o.max_attempts = kSqliteMaxAttempts;
  o.base_backoff = 50ms;
  o.publish_timeout = 5000ms;
  o.role_groups = {{kTopic, kGroup}};
  o.name_prefix = "t" + std::to_string(std::hash<std::string>{}(dir.string())) + ".";
  auto bus = kafka::KafkaBus::Open(std::move(o));
  if (!bus.ok()) return bus.status();
  return std::unique_ptr<EventBus>(std::move(bus).value());
}

// PostgreSQL and Kafka join when a server is configured (scripts/test always does).
std::vector<EventBusFactory> Factories() {
  std::vector<EventBusFactory> f{{"SqliteQueue", OpenSqliteQueue, kSqliteMaxAttempts}};
  if (testing::PgServerUrl()) f.push_back({"PgQueue", OpenPgQueue, kSqliteMaxAttempts});
  if (KafkaServerUrl()) f.push_back({"Kafka", OpenKafka, kSqliteMaxAttempts, false, false});
  return f;
}

INSTANTIATE_TEST_SUITE_P(Adapters, EventBusContract, ::testing::ValuesIn(Factories()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace arca
