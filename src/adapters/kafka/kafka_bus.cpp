#include "adapters/kafka/kafka_bus.hpp"

#include <condition_variable>

#include "adapters/kafka/kafka_config.hpp"
#include "adapters/kafka/kafka_subscription.hpp"
#include "adapters/kafka/kafka_topics.hpp"
#include "core/events.hpp"

namespace arca::kafka {
namespace {

constexpr auto kAdminTimeout = std::chrono::milliseconds(10000);
constexpr auto kPingTimeout = std::chrono::milliseconds(2000);

// One Publish waiting for its delivery report. Shared between the waiting
// thread and the report, which may come after the waiter gave up.
struct Delivery {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
};

}  // namespace

class KafkaBus::DeliveryReports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    auto* waiter = static_cast<std::shared_ptr<Delivery>*>(m.msg_opaque());
    if (!waiter) return;
    {
      std::lock_guard lock((*waiter)->mu);
      (*waiter)->done = true;
      (*waiter)->err = m.err();
    }
    (*waiter)->cv.notify_all();
    delete waiter;
  }
};

KafkaBus::KafkaBus(KafkaOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<KafkaBus>> KafkaBus::Open(KafkaOptions options) {
  std::unique_ptr<KafkaBus> bus(new KafkaBus(std::move(options)));
  const auto& o = bus->options_;
  auto conf = MakeConf({
      {"bootstrap.servers", o.brokers},
      {"client.id", "arca"},
      // No duplicates or reordering on retries; implies acks=all.
      {"enable.idempotence", "true"},
      // Uploads wait for the report, so batch for a moment only.
      {"linger.ms", "2"},
      // A report (success or failure) always comes within this time.
      {"message.timeout.ms", std::to_string(o.publish_timeout.count())},
      {"socket.keepalive.enable", "true"},
  }, bus->log_events_);
  if (!conf.ok()) return conf.status();
  bus->reports_ = std::make_unique<DeliveryReports>();
  std::string err;
  if ((*conf)->set("dr_cb", bus->reports_.get(), err) != RdKafka::Conf::CONF_OK)
    return Internal("broker_rejected", "Kafka delivery reports: " + err);
  bus->producer_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!bus->producer_) return InvalidArgument("invalid_setting", "setting broker_url: Kafka producer: " + err);
  bus->poller_ = std::thread([b = bus.get()] {
    while (!b->stop_) b->producer_->poll(100);
  });
  return bus;
}

KafkaBus::~KafkaBus() {
  if (producer_) {
    producer_->flush(static_cast<int>(options_.publish_timeout.count()));
    // Whatever is still queued fails now, so every waiter hears back.
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    producer_->flush(1000);
  }
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  lag_readers_.clear();
  producer_.reset();
}

std::string KafkaBus::ShortName(const std::string& full) const {
  return full.starts_with(options_.name_prefix) ? full.substr(options_.name_prefix.size()) : full;
}

Status KafkaBus::EnsureTopics(const std::vector<std::string>& full_names) {
  std::vector<std::string> missing;
  {
    std::lock_guard lock(mu_);
    for (const auto& n : full_names)
      if (!known_topics_.contains(n)) missing.push_back(n);
  }
  if (missing.empty()) return Status::Ok();
  ARCA_RETURN_IF_ERROR(
      kafka::EnsureTopics(*producer_, missing, options_.partitions, options_.replication, kAdminTimeout));
  // The controller has made them; wait until the broker's metadata lists
  // them too, or a consumer subscribing now would not see them for a while.
  for (const auto& t : missing) {
    const auto deadline = std::chrono::steady_clock::now() + kAdminTimeout;
    for (;;) {
      auto n = PartitionCount(*producer_, t, kPingTimeout);
      if (n.ok() && *n > 0) break;
      if (std::chrono::steady_clock::now() > deadline)
        return Unavailable("broker_unavailable", "Kafka topic " + t + " was created but does not show in metadata");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::lock_guard lock(mu_);
  known_topics_.insert(missing.begin(), missing.end());
  return Status::Ok();
}

Status KafkaBus::Prepare() {
  std::vector<std::string> names;
  for (const auto& t : options_.topics) {
    names.push_back(FullName(t));
    names.push_back(FullName(Topics::Dlq(t)));
  }
  return EnsureTopics(names);
}

Status KafkaBus::Ping() {
  RdKafka::Metadata* raw = nullptr;
  // Brokers only: cheap, and fails when no broker answers.
  RdKafka::ErrorCode e = producer_->metadata(false, nullptr, &raw, static_cast<int>(kPingTimeout.count()));
  std::unique_ptr<RdKafka::Metadata> md(raw);
  return FromKafka(e, "Kafka");
}

Status KafkaBus::Publish(const std::string& topic, const std::string& key, const std::string& payload) {
  return PublishFull(FullName(topic), key, payload);
}

Status KafkaBus::PublishFull(const std::string& full_topic, const std::string& key, const std::string& payload) {
  ARCA_RETURN_IF_ERROR(EnsureTopics({full_topic}));
  auto delivery = std::make_shared<Delivery>();
  auto* opaque = new std::shared_ptr<Delivery>(delivery);
  RdKafka::ErrorCode e = producer_->produce(full_topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                            const_cast<char*>(payload.data()), payload.size(), key.data(), key.size(),
                                            0, opaque);
  if (e != RdKafka::ERR_NO_ERROR) {
    delete opaque;  // not queued: no report will come
    return FromKafka(e, "publishing to " + full_topic);
  }
  std::unique_lock lock(delivery->mu);
  // message.timeout.ms bounds the report; the margin covers a busy poller.
  if (!delivery->cv.wait_for(lock, options_.publish_timeout + std::chrono::seconds(2), [&] { return delivery->done; }))
    return Unavailable("broker_unavailable", "publishing to " + full_topic + ": no delivery report");
  return FromKafka(delivery->err, "publishing to " + full_topic);
}

Result<std::unique_ptr<Subscription>> KafkaBus::Subscribe(const std::string& group,
                                                          const std::vector<std::string>& topics) {
  std::vector<std::string> full;
  for (const auto& t : topics) full.push_back(FullName(t));
  ARCA_RETURN_IF_ERROR(EnsureTopics(full));
  {
    std::lock_guard lock(mu_);
    for (const auto& t : full) followed_.insert({FullName(group), t});
  }
  return KafkaSubscription::Create(*this, FullName(group), full);
}

Result<RdKafka::KafkaConsumer*> KafkaBus::LagReader(const std::string& full_group) {
  auto& slot = lag_readers_[full_group];
  if (slot) return slot.get();
  auto conf = MakeConf({{"bootstrap.servers", options_.brokers},
                        {"client.id", "arca-lag"},
                        {"group.id", full_group},
                        {"enable.auto.commit", "false"}},
                       log_events_);
  if (!conf.ok()) return conf.status();
  std::string err;
  slot.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!slot) return Internal("broker_rejected", "Kafka consumer: " + err);
  return slot.get();
}

Result<std::int64_t> KafkaBus::Depth() {
  std::set<std::pair<std::string, std::string>> pairs;
  {
    std::lock_guard lock(mu_);
    pairs = followed_;
  }
  std::lock_guard lock(lag_mu_);  // network calls below: publishers do not wait on this one
  for (const auto& [topic, group] : options_.role_groups) pairs.insert({FullName(group), FullName(topic)});
  const int ms = static_cast<int>(kPingTimeout.count());
  std::int64_t total = 0;
  for (const auto& [group, topic] : pairs) {
    if (topic.ends_with(".dlq")) continue;  // dead letters are not pending work
    auto count = PartitionCount(*producer_, topic, kPingTimeout);
    if (!count.ok()) return count.status();
    std::vector<RdKafka::TopicPartition*> tps;
    for (int p = 0; p < *count; ++p) tps.push_back(RdKafka::TopicPartition::create(topic, p));
    std::unique_ptr<void, void (*)(void*)> cleanup(&tps, [](void* v) {
      RdKafka::TopicPartition::destroy(*static_cast<std::vector<RdKafka::TopicPartition*>*>(v));
    });
    auto reader = LagReader(group);
    if (!reader.ok()) return reader.status();
    if (!tps.empty()) ARCA_RETURN_IF_ERROR(FromKafka((*reader)->committed(tps, ms), "reading committed offsets"));
    for (auto* tp : tps) {
      std::int64_t low = 0, high = 0;
      ARCA_RETURN_IF_ERROR(FromKafka(producer_->query_watermark_offsets(topic, tp->partition(), &low, &high, ms),
                                     "reading end offsets"));
      const std::int64_t from = tp->offset() >= 0 ? tp->offset() : low;
      total += std::max<std::int64_t>(0, high - from);
    }
  }
  return total;
}

}  // namespace arca::kafka
