// The effects the background workers carry out. Each is idempotent: running
// it twice, or after a crash half-way, ends in the same state.
#pragma once

#include <vector>

#include "app/app.hpp"

namespace arca {

// Inserts the rows of uploaded files in one transaction (file.uploaded).
Status RecordUploads(App& app, const std::vector<FileUploaded>& events);

// Removes the object, then the row (file.delete_requested). A row that is
// not in state `deleting` was not asked to go, so it is left alone.
Status PurgeFile(App& app, const DeleteRequested& event);

// Moves a file's object to its new key (file.rename_requested, named
// layout): copy, then the row (key, name and folder at once), then the old
// object; so the row never points at a missing object. kConflict
// ("name_taken") when another file holds the new key.
Status MoveFile(App& app, const RenameRequested& event);

}  // namespace arca
