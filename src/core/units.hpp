// Human units in settings: durations ("5m", "90s", "1h30m") and sizes ("5GiB").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace arca {

std::optional<std::chrono::seconds> ParseDuration(std::string_view s);
// Accepts B, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB (powers of 1024), or plain bytes.
std::optional<std::uint64_t> ParseSize(std::string_view s);

}  // namespace arca
