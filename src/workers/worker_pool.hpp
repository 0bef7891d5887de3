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
  // What `arca worker` runs when no roles are named. The reconciler scans
  // the whole bucket, so it runs where it is asked for (and inside
  // `arca serve` with the embedded broker).
  static std::vector<std::string> DefaultRoles() { return {"metadata", "delete", "rename"}; }
  static std::vector<std::string> InServeRoles() { return {"metadata", "delete", "rename", "reconcile"}; }

 private:
  void Loop(Consumer& c, Subscription& sub);
  void BackOff(std::chrono::milliseconds d);
  void ReconcileLoop();
  App& app_;
  std::vector<std::string> roles_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::unique_ptr<Subscription>> subs_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
};

}  // namespace arca::workers
