// A consumer role: which topic it reads, as which group, and what it does
// with a batch of messages. The worker pool owns the polling loop.
#pragma once

#include <memory>

#include "app/app.hpp"
#include "app/log.hpp"

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
  const bool retry = why.kind() != ErrorKind::kInvalidArgument && why.kind() != ErrorKind::kConflict;
  return sub.Fail(m, why.message(), retry);
}

// Handles a batch message by message: bad JSON goes to the dead-letter
// topic, an outage stops the batch (see Consumer::Handle), any other
// failure is logged and reported with FailMessage.
template <class Parse, class Work>
Status HandleEach(Subscription& sub, std::vector<Message>& batch, const char* what, Parse parse, Work work) {
  for (auto& m : batch) {
    auto e = parse(m.payload);
    if (!e.ok()) {
      (void)sub.Fail(m, e.status().message(), false);
      continue;
    }
    Status st = work(*e);
    if (st.ok()) {
      (void)sub.Ack(m);
      continue;
    }
    if (st.kind() == ErrorKind::kUnavailable) return st;
    log::Warn(std::string(what) + " failed", {{"file_id", e->header.file_id}, {"error", st.message()}});
    (void)FailMessage(sub, m, st);
  }
  return Status::Ok();
}

std::unique_ptr<Consumer> MakeMetadataWriter(App& app);
std::unique_ptr<Consumer> MakeDeleter(App& app);
std::unique_ptr<Consumer> MakeRenamer(App& app);

}  // namespace arca::workers
