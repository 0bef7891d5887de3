#include "app/read_files.hpp"

#include "core/ids.hpp"

namespace arca {
namespace {

Status FileNotFound(const std::string& id) { return NotFound("file_not_found", "no file with id " + id); }

// The visibility rule, applied to what the store answered; both the
// blocking and the async path go through it.
Result<FileRecord> AsSeenBy(const Caller& caller, const std::string& id, Result<FileRecord> rec) {
  if (!rec.ok()) return rec.status().kind() == ErrorKind::kNotFound ? FileNotFound(id) : rec.status();
  // A file being deleted is already gone for users.
  if (!CanSee(caller, *rec) || rec->state == FileState::kDeleting) return FileNotFound(id);
  return rec;
}

}  // namespace

Result<FileRecord> GetFile(App& app, const Caller& caller, const std::string& id) {
  if (!IsValidId(id)) return FileNotFound(id);
  return AsSeenBy(caller, id, app.meta.GetFile(id));
}

void GetFileAsync(App& app, const Caller& caller, const std::string& id, ResultCallback<FileRecord> done) {
  if (!IsValidId(id)) return done(FileNotFound(id));
  app.meta.GetFileAsync(id, [&caller, id, done = std::move(done)](Result<FileRecord> rec) {
    done(AsSeenBy(caller, id, std::move(rec)));
  });
}

}  // namespace arca
