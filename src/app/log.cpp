#include "app/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca::log {
namespace {
std::atomic<int> g_min{static_cast<int>(Level::kInfo)};
std::mutex g_mu;

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    default: return "error";
  }
}
}  // namespace

void SetMinLevel(Level level) { g_min = static_cast<int>(level); }

bool Enabled(Level level) { return static_cast<int>(level) >= g_min.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = "{\"ts\":";
  AppendJsonString(line, FormatRfc3339(NowMicros()));
  line += ",\"level\":\"";
  line += Name(level);
  line += "\",\"msg\":";
  AppendJsonString(line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(',');
    AppendJsonString(line, k);
    line.push_back(':');
    AppendJsonString(line, v);
  }
  line += "}\n";
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace arca::log
