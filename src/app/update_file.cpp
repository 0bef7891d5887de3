#include "app/change_files.hpp"

#include "app/file_objects.hpp"
#include "app/read_files.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/names.hpp"

namespace arca {

namespace {

// The new key when the patch moves the file's object (named layout), or
// nothing when the key stays.
Result<std::optional<std::string>> KeyAfter(App& app, const FileRecord& current, const FilePatch& patch) {
  if (app.settings.key_layout != KeyLayout::kNamed) return std::optional<std::string>();
  auto key = NamedObjectKey(current.owner_username, patch.folder.value_or(current.folder),
                            patch.name.value_or(current.name));
  if (!key.ok()) return key.status();
  if (*key == current.object_key) return std::optional<std::string>();
  return std::optional<std::string>(*key);
}

// Another file's object under the key is a name clash; a copy of this
// file's own (a rename that was cut short) is not.
Status CheckKeyFree(App& app, const std::string& key, const std::string& id, const std::string& name) {
  auto owner = FileIdAt(app.objects, key);
  if (!owner.ok()) return owner.status();
  if (!owner->has_value() || **owner == id) return Status::Ok();
  return Conflict("name_taken", "a file named '" + name + "' is already in that folder");
}

}  // namespace

Result<PatchOutcome> UpdateFile(App& app, const Caller& caller, const std::string& id, FilePatch patch,
                                const std::string& request_id) {
  auto current = GetFile(app, caller, id);
  if (!current.ok()) return current.status();
  if (patch.name) ARCA_RETURN_IF_ERROR(ValidateFileName(*patch.name));
  if (patch.folder) {
    auto f = NormalizeFolder(*patch.folder);
    if (!f.ok()) return f.status();
    patch.folder = *f;
  }
  if (patch.description && (patch.description->size() > 4096 || !IsValidUtf8(*patch.description)))
    return InvalidArgument("invalid_description", "a description is UTF-8 text of at most 4096 bytes");
  if (patch.tags) {
    auto t = NormalizeTags(*patch.tags);
    if (!t.ok()) return t.status();
    patch.tags = *t;
  }
  auto new_key = KeyAfter(app, *current, patch);
  if (!new_key.ok()) return new_key.status();
  std::optional<RenameRequested> rename;
  if (*new_key) {
    if (current->state != FileState::kReady)
      return Conflict("file_not_ready", "only a ready file can be renamed; this one is " + std::string(ToString(current->state)));
    const std::string name = patch.name.value_or(current->name);
    ARCA_RETURN_IF_ERROR(CheckKeyFree(app, **new_key, id, name));
    rename = RenameRequested{{NewId(), "file.rename_requested", kEventVersion, id, app.clock.Now(), request_id},
                             caller.user_id,
                             current->bucket,
                             current->object_key,
                             **new_key,
                             name,
                             patch.folder.value_or(current->folder)};
    // The renamer changes name and folder together with the key.
    patch.name.reset();
    patch.folder.reset();
  }
  PatchOutcome out{*current, rename.has_value()};
  if (patch.name || patch.folder || patch.description || patch.status || patch.tags) {
    auto updated = app.meta.UpdateFile(id, patch, app.clock.Now());
    if (!updated.ok() && updated.status().kind() == ErrorKind::kNotFound)
      return NotFound("file_not_found", "no file with id " + id);
    if (!updated.ok()) return updated.status();
    out.record = *updated;
  }
  if (rename) ARCA_RETURN_IF_ERROR(app.bus.Publish(app.settings.topics.rename_requested, id, ToJson(*rename)));
  return out;
}

}  // namespace arca
