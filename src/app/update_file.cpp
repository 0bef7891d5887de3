#include "app/change_files.hpp"

#include "app/read_files.hpp"
#include "core/encoding.hpp"
#include "core/names.hpp"

namespace arca {

Result<FileRecord> UpdateFile(App& app, const Caller& caller, const std::string& id, FilePatch patch) {
  auto current = GetFile(app, caller, id);
  if (!current.ok()) return current.status();
  if (patch.name) ARCA_RETURN_IF_ERROR(ValidateFileName(*patch.name));
  if (patch.folder) {
    auto f = NormalizeFolder(*patch.folder);
    if (!f.ok()) return f.status();
    patch.folder = *f;
  }
  if (patch.description && (patch.description->size() > 4096 || !IsValidUtf8(*patch.description)))
    return InvalidArgument("invalid_description", "a description is UTF-8 text of at most 4096 bytes");
  if (patch.tags) {
    auto t = NormalizeTags(*patch.tags);
    if (!t.ok()) return t.status();
    patch.tags = *t;
  }
  auto updated = app.meta.UpdateFile(id, patch, app.clock.Now());
  if (!updated.ok() && updated.status().kind() == ErrorKind::kNotFound)
    return NotFound("file_not_found", "no file with id " + id);
  return updated;
}

}  // namespace arca
