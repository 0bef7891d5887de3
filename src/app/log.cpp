#include "app/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/time.hpp"

namespace arca::log {
namespace {
std::atomic<int> g_min{static_cast<int>(Level::kInfo)};
std::mutex g_mu;

void AppendEscaped(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}
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

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min) return;
  std::string line = "{\"ts\":";
  AppendEscaped(line, FormatRfc3339(NowMicros()));
  line += ",\"level\":\"";
  line += Name(level);
  line += "\",\"msg\":";
  AppendEscaped(line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(',');
    AppendEscaped(line, k);
    line.push_back(':');
    AppendEscaped(line, v);
  }
  line += "}\n";
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace arca::log
