// Changing files: PATCH and DELETE as the user sees them.
#pragma once

#include "app/app.hpp"

namespace arca {

struct PatchOutcome {
  FileRecord record;     // with the patch applied, except a pending rename
  bool renaming = false;  // true: a physical rename was queued (202)
};

// Validates and applies the patch. In the `opaque` layout, and for fields
// that are not part of the key, the database alone changes. In the `named`
// layout a new name or folder moves the object: the rename is checked
// (kConflict "name_taken" when the folder already holds that name) and
// queued for the renamer, and the record keeps its old name until then.
Result<PatchOutcome> UpdateFile(App& app, const Caller& caller, const std::string& id, FilePatch patch,
                                const std::string& request_id);

// Hides the file at once (state `deleting`) and queues the delete for the
// deleter. If the event cannot be queued the file stays `deleting` and the
// call fails with kUnavailable; the reconciler re-issues stuck deletes.
Result<FileRecord> RequestDelete(App& app, const Caller& caller, const std::string& id,
                                 const std::string& request_id);

}  // namespace arca
