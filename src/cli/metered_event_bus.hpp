// Wraps the broker to time every Publish: with Kafka that is the wait for
// the broker's delivery report, which every async upload pays before its
// 202. Shown on /metrics as arca_broker_publish_seconds.
#pragma once

#include <chrono>
#include <memory>

#include "http/metrics.hpp"
#include "ports/event_bus.hpp"

namespace arca::cli {

class MeteredEventBus : public EventBus {
 public:
  static constexpr const char* kHistogram = "arca_broker_publish_seconds";

  MeteredEventBus(std::unique_ptr<EventBus> inner, http::Metrics& metrics) : inner_(std::move(inner)), metrics_(metrics) {
    metrics_.AddHistogram(kHistogram, "Time to publish an event until the broker confirmed it is stored.");
  }
  Status Prepare() override { return inner_->Prepare(); }
  Status Ping() override { return inner_->Ping(); }
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override {
    const auto start = std::chrono::steady_clock::now();
    Status st = inner_->Publish(topic, key, payload);
    if (st.ok())
      metrics_.ObserveDuration(kHistogram, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return st;
  }
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                  const std::vector<std::string>& topics) override {
    return inner_->Subscribe(group, topics);
  }
  Result<std::int64_t> Depth() override { return inner_->Depth(); }

 private:
  std::unique_ptr<EventBus> inner_;
  http::Metrics& metrics_;
};

}  // namespace arca::cli
