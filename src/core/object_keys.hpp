// Where a file's bytes live in the object store (CONTRACT §2, key layout).
// `opaque`: files/<id>, so a rename touches only the database. `named`:
// users/<owner>/<folder>/<name>, so the bucket reads like the users' files
// and a rename or folder move copies the object.
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"

namespace arca {

enum class KeyLayout { kOpaque, kNamed };

// "opaque" or "named".
Result<KeyLayout> ParseKeyLayout(std::string_view text);
// Every key of the layout starts with this; the reconciler compares only
// keys under it.
std::string KeyPrefix(KeyLayout layout);

std::string OpaqueObjectKey(const std::string& file_id);
// The user's own words, kept readable: only what some stores cannot hold is
// percent-encoded ('%' itself, a leading '.', which also rules out "." and
// "..", and a trailing ".meta.json", the embedded store's sidecar suffix).
// kInvalidArgument ("name_too_long_for_key") when a segment would pass 255
// bytes (a file system's limit) or the key S3's 1024.
Result<std::string> NamedObjectKey(std::string_view owner, std::string_view folder, std::string_view name);

}  // namespace arca
