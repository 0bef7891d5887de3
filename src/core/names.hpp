// Rules for user-given names and folders. Names are kept exactly as given for
// display; they never become object keys or filesystem paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace arca {

// A display name: valid UTF-8, 1..255 bytes, no control characters, no '/'.
Status ValidateFileName(std::string_view name);
// A folder: "" (root) or segments joined by '/', each a valid file name and
// not "." or "..". Leading/trailing slashes are removed; "a//b" is rejected.
Result<std::string> NormalizeFolder(std::string_view folder);
// Lowercased extension after the last '.', or "" (".bashrc" has none).
std::string ExtensionOf(std::string_view name);
// RFC 6266 value: attachment; filename="ascii fallback"; filename*=UTF-8''pct
std::string ContentDispositionAttachment(std::string_view name);
// Tags: trimmed, 1..64 bytes, no commas or control characters, at most 50.
Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags);
std::vector<std::string> SplitTags(std::string_view comma_separated);

}  // namespace arca
