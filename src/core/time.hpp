// RFC 3339 timestamps at microsecond precision, always UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/file_record.hpp"

namespace arca {

Micros NowMicros();
// "2026-12-04T19:59:52.123456Z"; trailing zero fractions are kept fixed at 6 digits.
std::string FormatRfc3339(Micros t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" and a plain date "YYYY-MM-DD".
std::optional<Micros> ParseRfc3339(std::string_view s);

}  // namespace arca
