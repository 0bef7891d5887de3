#include "core/failpoint.hpp"

#if ARCA_FAILPOINTS
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace arca {

void Failpoint(std::string_view name) {
  // Read once: the setting does not change while the process runs.
  static const std::string armed = [] {
    const char* v = std::getenv("ARCA_FAILPOINT");
    return std::string(v ? v : "");
  }();
  if (armed.empty() || armed != name) return;
  // One line on stderr (unbuffered), so a test can tell the crash was ours.
  const std::string line = "{\"level\":\"error\",\"msg\":\"failpoint\",\"point\":\"" + std::string(name) + "\"}\n";
  (void)!::write(2, line.data(), line.size());
  ::kill(::getpid(), SIGKILL);
}

}  // namespace arca
#endif
