// In-memory EventBus for unit tests of producers: it records what was
// published. Consumers are covered by the contract suite, so Subscribe is not
// modelled. EventBusWrapper forwards everything, so a test can override one
// method to inject a fault.
#pragma once

#include <mutex>

#include "ports/event_bus.hpp"
#include "unit/fakes/call_log.hpp"

namespace arca::fakes {

class FakeEventBus : public EventBus {
 public:
  explicit FakeEventBus(CallLog* log = nullptr) : log_(log) {}

  Status Prepare() override { return Status::Ok(); }
  Status Ping() override { return Status::Ok(); }
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override {
    std::lock_guard lock(mu_);
    if (log_) log_->Add("bus.Publish " + topic + " " + key);
    published_.push_back(Message{topic, key, payload, 0, std::to_string(published_.size())});
    return Status::Ok();
  }
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string&, const std::vector<std::string>&) override {
    return Internal("not_modelled", "FakeEventBus does not model consumers");
  }
  Result<std::int64_t> Depth() override {
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(published_.size());
  }

  std::vector<Message> Published() {
    std::lock_guard lock(mu_);
    return published_;
  }
  std::vector<Message> PublishedTo(const std::string& topic) {
    std::lock_guard lock(mu_);
    std::vector<Message> out;
    for (auto& m : published_)
      if (m.topic == topic) out.push_back(m);
    return out;
  }

 private:
  CallLog* log_;
  std::mutex mu_;
  std::vector<Message> published_;
};

// Forwards every call to `target`; subclasses override what they break.
class EventBusWrapper : public EventBus {
 public:
  explicit EventBusWrapper(EventBus& target) : t_(target) {}
  Status Prepare() override { return t_.Prepare(); }
  Status Ping() override { return t_.Ping(); }
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override {
    return t_.Publish(topic, key, payload);
  }
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& group,
                                                  const std::vector<std::string>& topics) override {
    return t_.Subscribe(group, topics);
  }
  Result<std::int64_t> Depth() override { return t_.Depth(); }

 protected:
  EventBus& t_;
};

// The broker does not accept messages: Publish fails as a retryable outage.
class PublishFailingEventBus : public EventBusWrapper {
 public:
  using EventBusWrapper::EventBusWrapper;
  Status Publish(const std::string&, const std::string&, const std::string&) override {
    ++attempts;
    return Unavailable("broker_unavailable", "injected: publish failed");
  }
  int attempts = 0;
};

}  // namespace arca::fakes
