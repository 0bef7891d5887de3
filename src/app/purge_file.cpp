#include "app/background_work.hpp"
#include "core/failpoint.hpp"

namespace arca {

Status PurgeFile(App& app, const DeleteRequested& event) {
  auto row = app.meta.GetFile(event.header.file_id);
  if (!row.ok() && row.status().kind() != ErrorKind::kNotFound) return row.status();
  if (row.ok() && row->state != FileState::kDeleting) return Status::Ok();
  // Object first, then row: a crash in between leaves a `deleting` row whose
  // delete is redelivered, never a visible row without its object.
  ARCA_RETURN_IF_ERROR(app.objects.Delete(event.object_key));
  // A rename that finished after the delete was asked moved the object.
  if (row.ok() && row->object_key != event.object_key) ARCA_RETURN_IF_ERROR(app.objects.Delete(row->object_key));
  Failpoint("after-object-delete-before-row-delete");
  return app.meta.DeleteFile(event.header.file_id);
}

}  // namespace arca
