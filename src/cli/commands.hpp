// One function per subcommand; each returns the process exit code.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/settings.hpp"

namespace arca::cli {

int Serve(const Settings& s);
int Worker(const Settings& s, const std::vector<std::string>& roles);
int Migrate(const Settings& s);
struct ReconcileFlags {
  bool fix = false;
  bool json = false;
  std::string grace;  // empty: the default (1h)
  std::int64_t max_deletes = 1000;
};
int Reconcile(const Settings& s, const ReconcileFlags& flags);
int UserAdd(const Settings& s, const std::string& name, bool admin, bool password_stdin);
int TokenIssue(const Settings& s, const std::string& user, const std::string& ttl, const std::string& label);
int Version();

// Blocks until SIGINT or SIGTERM. Call BlockStopSignals() first, before any thread starts.
void BlockStopSignals();
int WaitForStopSignal();

}  // namespace arca::cli
