#include "adapters/kafka/kafka_subscription.hpp"

#include <algorithm>
#include <random>

#include "adapters/kafka/kafka_config.hpp"
#include "core/events.hpp"

namespace arca::kafka {
namespace {

constexpr int kSeekTimeoutMs = 2000;

// Owns the TopicPartition objects a librdkafka call takes by pointer.
struct PartitionList {
  std::vector<RdKafka::TopicPartition*> items;
  PartitionList(const std::string& topic, std::int32_t partition, std::int64_t offset = RdKafka::Topic::OFFSET_INVALID) {
    items.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
  }
  ~PartitionList() { RdKafka::TopicPartition::destroy(items); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
};

}  // namespace

Result<std::unique_ptr<Subscription>> KafkaSubscription::Create(KafkaBus& bus, const std::string& full_group,
                                                                const std::vector<std::string>& full_topics) {
  const auto& o = bus.options();
  const auto session = std::max<std::int64_t>(o.session_timeout.count(), 6000);  // the broker's minimum
  auto conf = MakeConf({
      {"bootstrap.servers", o.brokers},
      {"client.id", "arca"},
      {"group.id", full_group},
      // Offsets are stored by hand once a message is settled; librdkafka
      // commits what is stored, periodically and on rebalance or close.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", "500"},
      // A group's first consumer starts at the oldest message: events
      // published before any worker ran are not skipped.
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", std::to_string(session)},
      {"heartbeat.interval.ms", std::to_string(session / 3)},
      // Topics created by another process show up within this time.
      {"topic.metadata.refresh.interval.ms", "30000"},
  }, bus.log_events());
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaSubscription> sub(new KafkaSubscription(bus));
  std::string err;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(sub.get()), err) != RdKafka::Conf::CONF_OK)
    return Internal("broker_rejected", "Kafka rebalance callback: " + err);
  sub->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!sub->consumer_) return InvalidArgument("invalid_setting", "setting broker_url: Kafka consumer: " + err);
  ARCA_RETURN_IF_ERROR(FromKafka(sub->consumer_->subscribe(full_topics), "subscribing to Kafka topics"));
  return std::unique_ptr<Subscription>(std::move(sub));
}

KafkaSubscription::~KafkaSubscription() {
  if (!consumer_) return;
  // Commits what is stored and leaves the group, so the partitions move to
  // another member at once instead of after the session timeout.
  consumer_->close();
}

void KafkaSubscription::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                     std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    for (auto* tp : partitions) partitions_[{tp->topic(), tp->partition()}] = Partition{};
    consumer->assign(partitions);
    assigned_count_ = static_cast<int>(partitions_.size());
    return;
  }
  // Revoked (or a failed rebalance): commit what was settled while the
  // partitions are still ours; acks that come later are for partitions
  // that another member now reads, and are dropped.
  if (err == RdKafka::ERR__REVOKE_PARTITIONS) (void)consumer->commitSync();
  partitions_.clear();
  assigned_count_ = 0;
  consumer->unassign();
}

std::string KafkaSubscription::MakeHandle(const RdKafka::Message& m) {
  return std::to_string(m.partition()) + ":" + std::to_string(m.offset()) + ":" + m.topic_name();
}

std::optional<KafkaSubscription::Where> KafkaSubscription::ParseHandle(const std::string& handle) {
  size_t a = handle.find(':');
  size_t b = a == std::string::npos ? a : handle.find(':', a + 1);
  if (b == std::string::npos) return std::nullopt;
  try {
    return Where{{handle.substr(b + 1), std::stoi(handle.substr(0, a))}, std::stoll(handle.substr(a + 1, b - a - 1))};
  } catch (...) {
    return std::nullopt;
  }
}

KafkaSubscription::Partition* KafkaSubscription::Find(const PartitionKey& key) {
  auto it = partitions_.find(key);
  return it == partitions_.end() ? nullptr : &it->second;
}

std::chrono::milliseconds KafkaSubscription::Backoff(int attempts) const {
  static thread_local std::mt19937 rng{std::random_device{}()};
  const auto base = bus_.options().base_backoff;
  auto d = base * (1 << std::min(attempts - 1, 6));
  // Full jitter on half the delay: members retrying together spread out.
  std::uniform_int_distribution<std::int64_t> jitter(0, d.count() / 2);
  return std::chrono::milliseconds(d.count() / 2 + jitter(rng));
}

Result<std::vector<Message>> KafkaSubscription::Poll(size_t max, std::chrono::milliseconds wait) {
  std::vector<Message> out;
  const auto deadline = Clock::now() + wait;
  while (out.size() < max) {
    ResumeDue();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    // Wake up for the next paused partition's resume, not only at the deadline.
    for (auto& [key, p] : partitions_)
      if (p.paused_until)
        left = std::min(left, std::chrono::duration_cast<std::chrono::milliseconds>(*p.paused_until - Clock::now()) +
                                  std::chrono::milliseconds(1));
    const int timeout = out.empty() ? static_cast<int>(std::max<std::int64_t>(left.count(), 0)) : 0;
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout));
    const RdKafka::ErrorCode err = m->err();
    if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) {
      if (!out.empty() || Clock::now() >= deadline) break;
      continue;
    }
    if (err != RdKafka::ERR_NO_ERROR) {
      // librdkafka reports passing trouble here too (a broker away, a topic
      // whose metadata has not spread yet) and recovers by itself; only a
      // fatal error ends the subscription's use.
      if (err == RdKafka::ERR__FATAL) return FromKafka(err, "consuming from Kafka: " + m->errstr());
      if (bus_.options().log) bus_.options().log(true, "consumer", m->errstr());
      if (!out.empty()) break;
      continue;
    }
    Partition* p = Find({m->topic_name(), m->partition()});
    if (!p || p->paused_until) continue;  // fetched before a revoke or a rewind; it comes again
    p->in_hand.insert(m->offset());
    auto a = p->attempts.find(m->offset());
    Message msg;
    msg.topic = bus_.ShortName(m->topic_name());
    if (m->key()) msg.key = *m->key();
    msg.payload.assign(static_cast<const char*>(m->payload()), m->len());
    msg.attempts = a == p->attempts.end() ? 0 : a->second;
    msg.handle = MakeHandle(*m);
    out.push_back(std::move(msg));
  }
  return out;
}

Status KafkaSubscription::Ack(const Message& m) {
  auto where = ParseHandle(m.handle);
  if (!where) return InvalidArgument("bad_handle", "not a Kafka message handle: " + m.handle);
  Partition* p = Find(where->key);
  // Revoked, or rewound since the poll: the message comes again, and the
  // consumer's idempotence makes the second delivery harmless.
  if (!p || !p->in_hand.erase(where->offset)) return Status::Ok();
  p->attempts.erase(where->offset);
  Settle(where->key, *p, where->offset);
  return Status::Ok();
}

Status KafkaSubscription::Fail(const Message& m, const std::string& error, bool retryable) {
  auto where = ParseHandle(m.handle);
  if (!where) return InvalidArgument("bad_handle", "not a Kafka message handle: " + m.handle);
  Partition* p = Find(where->key);
  if (!p || !p->in_hand.contains(where->offset)) return Status::Ok();
  const int attempts = p->attempts[where->offset] + 1;  // deliveries, this one included
  if (!retryable || attempts >= bus_.options().max_attempts) {
    Status st = bus_.PublishFull(Topics::Dlq(where->key.first), m.key, WithDeadLetterInfo(m.payload, error, attempts));
    if (st.ok()) {
      p->in_hand.erase(where->offset);
      p->attempts.erase(where->offset);
      Settle(where->key, *p, where->offset);
      return Status::Ok();
    }
    // The dead-letter topic is out of reach too: keep the message, try again later.
    if (bus_.options().log) bus_.options().log(true, "dead-lettering failed on " + m.topic, st.message());
    Rewind(where->key, *p, where->offset, Backoff(attempts));
    return st;
  }
  p->attempts[where->offset] = attempts;
  Rewind(where->key, *p, where->offset, Backoff(attempts));
  return Status::Ok();
}

void KafkaSubscription::Release() {
  for (auto& [key, p] : partitions_) {
    if (p.in_hand.empty()) continue;
    const std::int64_t first = *p.in_hand.begin();
    p.in_hand.clear();
    p.settled_below = std::min(p.settled_below, first);
    PartitionList tp(key.first, key.second, first);
    (void)consumer_->seek(*tp.items[0], kSeekTimeoutMs);
  }
}

void KafkaSubscription::Settle(const PartitionKey& key, Partition& p, std::int64_t offset) {
  p.settled_below = std::max(p.settled_below, offset + 1);
  StoreCommittable(key, p);
}

void KafkaSubscription::StoreCommittable(const PartitionKey& key, Partition& p) {
  // Offsets are polled in order, so everything below the first message
  // still in hand is settled.
  const std::int64_t next = p.in_hand.empty() ? p.settled_below : std::min(*p.in_hand.begin(), p.settled_below);
  if (next <= p.stored) return;
  PartitionList tp(key.first, key.second, next);
  // Fails only for a partition no longer assigned: its new owner re-reads.
  if (consumer_->offsets_store(tp.items) == RdKafka::ERR_NO_ERROR && tp.items[0]->err() == RdKafka::ERR_NO_ERROR)
    p.stored = next;
}

void KafkaSubscription::Rewind(const PartitionKey& key, Partition& p, std::int64_t offset,
                               std::chrono::milliseconds backoff) {
  // Everything from `offset` on is delivered again after the pause.
  p.in_hand.erase(p.in_hand.lower_bound(offset), p.in_hand.end());
  p.settled_below = std::min(p.settled_below, offset);
  PartitionList tp(key.first, key.second, offset);
  (void)consumer_->pause(tp.items);
  p.paused_until = Clock::now() + backoff;
  p.rewind_to = offset;
}

void KafkaSubscription::ResumeDue() {
  const auto now = Clock::now();
  for (auto& [key, p] : partitions_) {
    if (!p.paused_until || *p.paused_until > now) continue;
    PartitionList tp(key.first, key.second, p.rewind_to);
    (void)consumer_->resume(tp.items);
    // Seek after resuming: the fetcher then starts again at the failed message.
    (void)consumer_->seek(*tp.items[0], kSeekTimeoutMs);
    p.paused_until.reset();
  }
}

}  // namespace arca::kafka
