#include "app/read_files.hpp"

namespace arca {

Result<PresignedLink> DownloadLink(App& app, const Caller& caller, const std::string& id) {
  auto rec = GetFile(app, caller, id);
  if (!rec.ok()) return rec.status();
  if (rec->state == FileState::kMissing || rec->state == FileState::kQuarantined)
    return Conflict("file_unavailable", "the file is " + std::string(ToString(rec->state)) + " and cannot be downloaded");
  DownloadOptions opts{app.settings.presign_ttl, rec->name, rec->content_type};
  return app.objects.PresignGet(rec->object_key, opts);
}

}  // namespace arca
