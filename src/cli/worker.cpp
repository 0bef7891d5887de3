#include <cstdio>

#include "app/log.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "workers/worker_pool.hpp"

namespace arca::cli {

int Worker(const Settings& s, const std::vector<std::string>& roles) {
  BlockStopSignals();
  auto rt = BuildRuntime(s);
  if (!rt.ok()) {
    std::fprintf(stderr, "arca: %s\n", rt.status().message().c_str());
    return 1;
  }
  workers::WorkerPool pool(*(*rt)->app, roles.empty() ? workers::WorkerPool::DefaultRoles() : roles);
  if (Status st = pool.Start(); !st.ok()) {
    std::fprintf(stderr, "arca: %s\n", st.message().c_str());
    return 2;
  }
  log::Info("worker running");
  WaitForStopSignal();
  pool.Stop();  // finishes the batch in hand and gives back the rest
  log::Info("worker stopped");
  return 0;
}

}  // namespace arca::cli
