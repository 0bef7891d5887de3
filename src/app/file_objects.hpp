// What an object in the store says about its file: the facts it carries as
// metadata (enough to rebuild a lost row), and whose it is (arca-id), which
// decides whether a key is taken and whether a leftover may be deleted.
#pragma once

#include <optional>
#include <string>

#include "core/file_record.hpp"
#include "ports/object_store.hpp"

namespace arca {

// arca-id, owner, and the percent-encoded name, folder and project.
ObjectMeta FileObjectMeta(const FileRecord& f);
// The file id an object's metadata names, "" when none.
std::string FileIdIn(const ObjectMeta& meta);
// The same for the object under `key`; nullopt when there is no object.
Result<std::optional<std::string>> FileIdAt(ObjectStore& objects, const std::string& key);

}  // namespace arca
