#include "app/read_files.hpp"

namespace arca {
namespace {

// What may be downloaded, and the link; shared by both paths. PresignGet
// does no I/O, so this is safe on an event loop.
Result<PresignedLink> LinkFor(App& app, Result<FileRecord> rec) {
  if (!rec.ok()) return rec.status();
  if (rec->state == FileState::kMissing || rec->state == FileState::kQuarantined)
    return Conflict("file_unavailable", "the file is " + std::string(ToString(rec->state)) + " and cannot be downloaded");
  DownloadOptions opts{app.settings.presign_ttl, rec->name, rec->content_type};
  return app.objects.PresignGet(rec->object_key, opts);
}

}  // namespace

Result<PresignedLink> DownloadLink(App& app, const Caller& caller, const std::string& id) {
  return LinkFor(app, GetFile(app, caller, id));
}

void DownloadLinkAsync(App& app, const Caller& caller, const std::string& id, ResultCallback<PresignedLink> done) {
  GetFileAsync(app, caller, id,
               [&app, done = std::move(done)](Result<FileRecord> rec) { done(LinkFor(app, std::move(rec))); });
}

}  // namespace arca
