// Runs consumer roles on threads of this process: `arca serve` with the
// embedded broker, and `arca worker`. Stop() lets each finish the batch in
// hand, then gives back anything polled but not yet handled.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "workers/consumer.hpp"

namespace arca::workers {

class WorkerPool {
 public:
  WorkerPool(App& app, const std::vector<std::string>& roles);
  ~WorkerPool();
  // kInvalidArgument for an unknown role; kUnavailable if a subscription fails.
  Status Start();
  void Stop();
  // Roles this build knows.
  static std::vector<std::string> KnownRoles() { return {"metadata", "delete"}; }

 private:
  void Loop(Consumer& c, Subscription& sub);
  void BackOff(std::chrono::milliseconds d);
  App& app_;
  std::vector<std::string> roles_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::unique_ptr<Subscription>> subs_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
};

}  // namespace arca::workers
