// Changing files: PATCH and DELETE as the user sees them.
#pragma once

#include "app/app.hpp"

namespace arca {

// Validates and applies the patch (metadata only in the `opaque` layout).
Result<FileRecord> UpdateFile(App& app, const Caller& caller, const std::string& id, FilePatch patch);

// Hides the file at once (state `deleting`) and queues the delete for the
// deleter. If the event cannot be queued the file stays `deleting` and the
// call fails with kUnavailable; the reconciler re-issues stuck deletes.
Result<FileRecord> RequestDelete(App& app, const Caller& caller, const std::string& id,
                                 const std::string& request_id);

}  // namespace arca
