#include "app/change_files.hpp"

#include "app/read_files.hpp"
#include "core/failpoint.hpp"
#include "core/ids.hpp"

namespace arca {

Result<FileRecord> RequestDelete(App& app, const Caller& caller, const std::string& id,
                                 const std::string& request_id) {
  auto current = GetFile(app, caller, id);
  if (!current.ok()) return current.status();
  Micros now = app.clock.Now();
  auto marked = app.meta.MarkDeleting(id, now);
  if (!marked.ok()) {
    if (marked.status().kind() == ErrorKind::kNotFound) return NotFound("file_not_found", "no file with id " + id);
    return marked.status();
  }
  Failpoint("after-mark-deleting");
  DeleteRequested ev{{NewId(), "file.delete_requested", kEventVersion, id, now, request_id},
                     caller.user_id,
                     marked->bucket,
                     marked->object_key};
  ARCA_RETURN_IF_ERROR(app.bus.Publish(app.settings.topics.delete_requested, id, ToJson(ev)));
  return marked;
}

}  // namespace arca
