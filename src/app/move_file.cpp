// The renamer's work (named layout): copy, point the row, remove the old.
#include "app/background_work.hpp"
#include "app/file_objects.hpp"
#include "core/failpoint.hpp"

namespace arca {
namespace {

// Removes a copy of the file's bytes it no longer uses. Never an object of
// another file: by the time a redelivered event runs, someone else may have
// taken the old name.
Status DeleteIfOurs(App& app, const std::string& key, const std::string& id) {
  auto owner = FileIdAt(app.objects, key);
  if (!owner.ok()) return owner.status();
  if (owner->value_or("") != id) return Status::Ok();
  return app.objects.Delete(key);
}

ObjectMeta MetaAfterRename(FileRecord row, const RenameRequested& e) {
  row.name = e.name;
  row.folder = e.folder;
  return FileObjectMeta(row);
}

// One try; kAborted when the row changed between reading and updating it.
Status MoveOnce(App& app, const RenameRequested& e) {
  const std::string& id = e.header.file_id;
  auto row = app.meta.GetFile(id);
  if (!row.ok() && row.status().kind() != ErrorKind::kNotFound) return row.status();
  if (!row.ok() || row->state == FileState::kDeleting) {
    // Deleted meanwhile: a copy made for it is garbage; the deleter removes
    // the rest.
    if (row.ok() && row->object_key == e.new_key) return Status::Ok();
    return DeleteIfOurs(app, e.new_key, id);
  }
  const std::string from = row->object_key;
  if (from != e.new_key) {
    auto copied = app.objects.Copy(from, e.new_key, MetaAfterRename(*row, e));
    if (!copied.ok()) {
      if (copied.status().kind() == ErrorKind::kNotFound) {
        // Deleted (or renamed) meanwhile: look again. A row that still
        // points at the missing object cannot be renamed.
        auto again = app.meta.GetFile(id);
        if (!again.ok() || again->state == FileState::kDeleting || again->object_key != from)
          return Aborted("row_changed", "the file changed meanwhile");
        return InvalidArgument("object_missing", "the file's object " + from + " is missing; nothing to rename");
      }
      if (copied.status().code() != "object_exists") return copied.status();
      // Ours from an earlier try that was cut short, or another file's.
      auto owner = FileIdAt(app.objects, e.new_key);
      if (!owner.ok()) return owner.status();
      if (owner->value_or("") != id) return Conflict("name_taken", "another file already has the key " + e.new_key);
    }
    Failpoint("after-copy-before-row-update");
    auto renamed = app.meta.RenameFile(id, from, e.new_key, e.name, e.folder, app.clock.Now());
    if (!renamed.ok()) {
      if (renamed.status().kind() == ErrorKind::kNotFound) return Aborted("row_changed", "the file changed meanwhile");
      return renamed.status();
    }
    Failpoint("after-row-update-before-delete");
    ARCA_RETURN_IF_ERROR(DeleteIfOurs(app, from, id));
  }
  // Where the file was when the rename was asked, if an earlier try left it.
  if (e.old_key != e.new_key && e.old_key != from) return DeleteIfOurs(app, e.old_key, id);
  return Status::Ok();
}

}  // namespace

Status MoveFile(App& app, const RenameRequested& event) {
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    st = MoveOnce(app, event);
    if (st.kind() != ErrorKind::kAborted) return st;
  }
  return Internal("row_changed", "the file kept changing during its rename");
}

}  // namespace arca
