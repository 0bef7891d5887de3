// Identifiers: UUIDv7 strings (time-ordered, so new rows append to indexes).
#pragma once

#include <string>
#include <string_view>

namespace arca {

std::string NewId();
// A request's correlation id: 16 lowercase hex digits, unique per process in
// practice. Not a secret and not a record id (use NewId for those).
std::string NewRequestId();
// Lowercase canonical UUID form: 8-4-4-4-12 hex digits.
bool IsValidId(std::string_view id);

}  // namespace arca
