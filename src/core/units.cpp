#include "core/units.hpp"

#include <cctype>
#include <limits>
#include <string>

namespace arca {

std::optional<std::chrono::seconds> ParseDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    long long n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      n = n * 10 + (s[i] - '0');
      if (n > 100000000000LL) return std::nullopt;
      ++i;
    }
    if (i == s.size()) return std::nullopt;  // a unit is required
    switch (s[i]) {
      case 's': total += n; break;
      case 'm': total += n * 60; break;
      case 'h': total += n * 3600; break;
      case 'd': total += n * 86400; break;
      default: return std::nullopt;
    }
    // A part adds at most 1e11 days and the total stays below that, so this sum never overflows.
    if (total > 100000000000LL * 86400) return std::nullopt;
    ++i;
  }
  return std::chrono::seconds(total);
}

std::optional<std::uint64_t> ParseSize(std::string_view s) {
  size_t i = 0;
  std::uint64_t n = 0;
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (n > (1ULL << 53)) return std::nullopt;
    ++i;
  }
  std::string unit(s.substr(i));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::uint64_t mul = 0;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "kb") mul = 1000ULL;
  else if (unit == "mb") mul = 1000ULL * 1000;
  else if (unit == "gb") mul = 1000ULL * 1000 * 1000;
  else if (unit == "tb") mul = 1000ULL * 1000 * 1000 * 1000;
  else if (unit == "kib") mul = 1ULL << 10;
  else if (unit == "mib") mul = 1ULL << 20;
  else if (unit == "gib") mul = 1ULL << 30;
  else if (unit == "tib") mul = 1ULL << 40;
  else return std::nullopt;
  if (n > std::numeric_limits<std::uint64_t>::max() / mul) return std::nullopt;  // would wrap
  return n * mul;
}

}  // namespace arca
