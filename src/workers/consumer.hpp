// A consumer role: which topic it reads, as which group, and what it does
// with a batch of messages. The worker pool owns the polling loop.
#pragma once

#include <memory>

#include "app/app.hpp"

namespace arca::workers {

class Consumer {
 public:
  virtual ~Consumer() = default;
  virtual std::string Group() const = 0;
  virtual std::string Topic() const = 0;
  virtual size_t BatchSize() const { return 1; }
  // Acks or Fails every message of the batch and returns OK; or returns
  // Unavailable when a service the work needs (database, store) is down.
  // Then the messages still in hand are given back without being charged
  // an attempt, and the pool backs off: an outage is not the messages'
  // fault, and must not push them into the dead-letter topic.
  virtual Status Handle(Subscription& sub, std::vector<Message>& batch) = 0;
};

// How a failed message is reported: bad input goes to the dead-letter
// topic at once; any other failure is retried up to the broker's limit.
inline Status FailMessage(Subscription& sub, const Message& m, const Status& why) {
  return sub.Fail(m, why.message(), why.kind() != ErrorKind::kInvalidArgument);
}

std::unique_ptr<Consumer> MakeMetadataWriter(App& app);
std::unique_ptr<Consumer> MakeDeleter(App& app);

}  // namespace arca::workers
