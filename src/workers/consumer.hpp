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
  // Must Ack or Fail every message of the batch before returning.
  virtual void Handle(Subscription& sub, std::vector<Message>& batch) = 0;
};

std::unique_ptr<Consumer> MakeMetadataWriter(App& app);
std::unique_ptr<Consumer> MakeDeleter(App& app);

}  // namespace arca::workers
