#include "adapters/kafka/kafka_topics.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>

#include "adapters/kafka/kafka_config.hpp"

namespace arca::kafka {
namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Fn(p); }
};
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;

}  // namespace

Status EnsureTopics(RdKafka::Handle& handle, const std::vector<std::string>& names, int partitions, int replication,
                    std::chrono::milliseconds timeout) {
  if (names.empty()) return Status::Ok();
  rd_kafka_t* rk = handle.c_ptr();
  char err[512];
  std::vector<NewTopicPtr> owned;
  std::vector<rd_kafka_NewTopic_t*> topics;
  for (const auto& n : names) {
    NewTopicPtr t(rd_kafka_NewTopic_new(n.c_str(), partitions, replication, err, sizeof err));
    if (!t) return InvalidArgument("invalid_setting", "Kafka topic " + n + ": " + err);
    topics.push_back(t.get());
    owned.push_back(std::move(t));
  }
  OptionsPtr opts(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(opts.get(), ms, err, sizeof err);
  // Wait for the creation to finish, so a consumer subscribing next finds the topic.
  rd_kafka_AdminOptions_set_operation_timeout(opts.get(), ms, err, sizeof err);
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), opts.get(), queue.get());
  EventPtr ev(rd_kafka_queue_poll(queue.get(), ms + 1000));
  if (!ev) return Unavailable("broker_unavailable", "creating Kafka topics: no answer within the timeout");
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return FromKafka(static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(ev.get())), "creating Kafka topics");
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
    const char* detail = rd_kafka_topic_result_error_string(results[i]);
    Status st = FromKafka(static_cast<RdKafka::ErrorCode>(e),
                          std::string("creating Kafka topic ") + rd_kafka_topic_result_name(results[i]));
    if (detail) return Status(st.kind(), st.code(), st.message() + " (" + detail + ")");
    return st;
  }
  return Status::Ok();
}

Result<int> PartitionCount(RdKafka::Handle& handle, const std::string& topic, std::chrono::milliseconds timeout) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&handle, topic, nullptr, err));
  if (!t) return Internal("broker_rejected", "Kafka topic " + topic + ": " + err);
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode e = handle.metadata(false, t.get(), &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> md(raw);
  if (e != RdKafka::ERR_NO_ERROR) return FromKafka(e, "reading Kafka metadata");
  for (const auto* tm : *md->topics())
    if (tm->topic() == topic) return tm->err() == RdKafka::ERR_NO_ERROR ? static_cast<int>(tm->partitions()->size()) : 0;
  return 0;
}

}  // namespace arca::kafka
