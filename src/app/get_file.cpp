#include "app/read_files.hpp"

#include "core/ids.hpp"

namespace arca {

Result<FileRecord> GetFile(App& app, const Caller& caller, const std::string& id) {
  const Status not_found = NotFound("file_not_found", "no file with id " + id);
  if (!IsValidId(id)) return not_found;
  auto rec = app.meta.GetFile(id);
  if (!rec.ok()) return rec.status().kind() == ErrorKind::kNotFound ? not_found : rec.status();
  // A file being deleted is already gone for users.
  if (!CanSee(caller, *rec) || rec->state == FileState::kDeleting) return not_found;
  return rec;
}

}  // namespace arca
