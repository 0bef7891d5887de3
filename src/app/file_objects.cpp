#include "app/file_objects.hpp"

#include "core/encoding.hpp"

namespace arca {

ObjectMeta FileObjectMeta(const FileRecord& f) {
  return {{"arca-id", f.id},
          {"arca-owner", f.owner_id},
          {"arca-name", PercentEncode(f.name)},
          {"arca-folder", PercentEncode(f.folder)},
          {"arca-project", PercentEncode(f.project)}};
}

std::string FileIdIn(const ObjectMeta& meta) {
  auto it = meta.find("arca-id");
  return it == meta.end() ? std::string() : it->second;
}

Result<std::optional<std::string>> FileIdAt(ObjectStore& objects, const std::string& key) {
  auto head = objects.Head(key);
  if (head.ok()) return std::optional<std::string>(FileIdIn(head->meta));
  if (head.status().kind() == ErrorKind::kNotFound) return std::optional<std::string>();
  return head.status();
}

}  // namespace arca
