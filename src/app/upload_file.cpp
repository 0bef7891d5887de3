#include "app/upload_file.hpp"

#include "app/file_objects.hpp"
#include "core/encoding.hpp"
#include "core/failpoint.hpp"
#include "core/ids.hpp"
#include "core/names.hpp"
#include "core/object_keys.hpp"

namespace arca {

// The sniffed type wins unless it only says "some bytes" or "some text" and
// the client was more specific (a CSV sniffs as text/plain).
std::string EffectiveType(const std::string& sniffed, const std::string& declared) {
  bool generic = sniffed.empty() || sniffed == "application/octet-stream" || sniffed == "text/plain";
  if (generic && !declared.empty() && declared != "application/octet-stream") {
    if (sniffed != "text/plain" || declared.starts_with("text/")) return declared;
  }
  return sniffed.empty() ? "application/octet-stream" : sniffed;
}

namespace {
bool ValidMime(const std::string& t) {
  if (t.size() > 255 || t.find('/') == std::string::npos) return false;
  for (char c : t)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  return true;
}
}  // namespace

Result<std::unique_ptr<UploadSession>> UploadSession::Begin(App& app, const Caller& caller, UploadRequest req) {
  ARCA_RETURN_IF_ERROR(ValidateFileName(req.name));
  auto folder = NormalizeFolder(req.folder);
  if (!folder.ok()) return folder.status();
  auto tags = NormalizeTags(req.tags);
  if (!tags.ok()) return tags.status();
  if (req.project.size() > 255 || !IsValidUtf8(req.project))
    return InvalidArgument("invalid_project", "a project is UTF-8 text of at most 255 bytes");
  if (req.description.size() > 4096 || !IsValidUtf8(req.description))
    return InvalidArgument("invalid_description", "a description is UTF-8 text of at most 4096 bytes");
  // Strip parameters ("text/plain; charset=utf-8" -> "text/plain") and lowercase.
  std::string declared = req.declared_type.substr(0, req.declared_type.find(';'));
  while (!declared.empty() && declared.back() == ' ') declared.pop_back();
  for (auto& c : declared) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!declared.empty() && !ValidMime(declared)) declared.clear();
  if (req.declared_length && *req.declared_length > app.settings.max_upload)
    return TooLarge("upload_too_large", "the file is larger than the limit of " +
                                            std::to_string(app.settings.max_upload) + " bytes");

  FileRecord rec;
  rec.id = NewId();
  rec.name = req.name;
  rec.folder = *folder;
  rec.project = req.project;
  rec.owner_id = caller.user_id;
  rec.owner_username = caller.username;
  rec.description = req.description;
  rec.tags = *tags;
  rec.declared_content_type = declared;
  rec.bucket = app.objects.Bucket();
  if (app.settings.key_layout == KeyLayout::kNamed) {
    auto key = NamedObjectKey(caller.username, rec.folder, rec.name);
    if (!key.ok()) return key.status();
    rec.object_key = *key;
  } else {
    rec.object_key = OpaqueObjectKey(rec.id);
  }
  const ObjectMeta meta = FileObjectMeta(rec);
  // A named key is the file's name: the store refuses to replace another
  // file's object (two uploads of one name race to the same key).
  const IfExists if_exists = app.settings.key_layout == KeyLayout::kNamed ? IfExists::kFail : IfExists::kReplace;
  auto writer = req.declared_length
                    ? app.objects.BeginSizedPut(rec.object_key, meta, *req.declared_length, if_exists)
                    : app.objects.BeginPut(rec.object_key, meta, if_exists);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<UploadSession>(
      new UploadSession(app, std::move(rec), std::move(writer).value(), req.request_id));
}

UploadSession::UploadSession(App& app, FileRecord rec, std::unique_ptr<ObjectWriter> w, std::string request_id)
    : app_(app),
      rec_(std::move(rec)),
      writer_(std::move(w)),
      writer_hashes_(writer_->HashesContent()),
      request_id_(std::move(request_id)) {}

UploadSession::~UploadSession() { Abort(); }

Status UploadSession::Write(std::string_view bytes) {
  if (done_) return Internal("upload_closed", "write after the upload ended");
  written_ += bytes.size();
  if (written_ > app_.settings.max_upload) {
    Abort();
    return TooLarge("upload_too_large",
                    "the file is larger than the limit of " + std::to_string(app_.settings.max_upload) + " bytes");
  }
  if (head_.size() < kSniffBytes) head_.append(bytes.substr(0, kSniffBytes - head_.size()));
  if (!writer_hashes_) hash_.Update(bytes);
  Status st = writer_->Write(bytes);
  if (!st.ok()) {
    Abort();
    // A store that checks the key before the body (a streamed PutObject) refuses early.
    if (st.code() == "object_exists") return NameTaken();
  }
  return st;
}

Result<UploadOutcome> UploadSession::Finish() {
  if (done_) return Internal("upload_closed", "finish after the upload ended");
  done_ = true;
  auto info = writer_->Commit();
  if (!info.ok()) {
    writer_->Abort();
    if (info.status().code() != "object_exists") return info.status();
    // The key is taken: by another file, or by this very upload when a
    // retried request's first try had landed after all.
    // (Never for a writer that hashes: it streams in one request, never retried.)
    auto owner = FileIdAt(app_.objects, rec_.object_key);
    if (!owner.ok() || owner->value_or("") != rec_.id || writer_hashes_) return NameTaken();
  }
  Failpoint("after-object-put");
  Micros now = app_.clock.Now();
  rec_.size = static_cast<std::int64_t>(written_);
  // From the writer when it hashed the bytes (and the store checked them).
  rec_.sha256 = writer_hashes_ && info.ok() ? info->sha256 : hash_.FinishHex();
  rec_.content_type = EffectiveType(app_.sniffer.Sniff(head_), rec_.declared_content_type);
  rec_.created_at = rec_.updated_at = now;
  rec_.state = FileState::kReady;

  FileUploaded ev{{NewId(), "file.uploaded", kEventVersion, rec_.id, now, request_id_}, rec_};
  const std::string payload = ToJson(ev);
  if (app_.settings.write_mode == WriteMode::kSync) {
    if (Status st = app_.meta.InsertFiles({rec_}); !st.ok()) {
      (void)app_.objects.Delete(rec_.object_key);  // nothing left behind
      return st;
    }
    // Downstream consumers (processing) still hear of the file; the row is
    // already committed, so a failure here loses no data and is only logged
    // by the caller through the returned outcome staying 201.
    (void)app_.bus.Publish(app_.settings.topics.uploaded, rec_.id, payload);
    return UploadOutcome{rec_, false};
  }
  if (Status st = app_.bus.Publish(app_.settings.topics.uploaded, rec_.id, payload); !st.ok()) {
    (void)app_.objects.Delete(rec_.object_key);  // never a 202 for an event that was not written
    return st;
  }
  Failpoint("after-event-publish");
  FileRecord pending = rec_;
  pending.state = FileState::kPending;
  return UploadOutcome{pending, true};
}

Status UploadSession::NameTaken() const {
  return Conflict("name_taken", "a file named '" + rec_.name + "' is already in this folder");
}

void UploadSession::Abort() {
  if (done_) return;
  done_ = true;
  if (writer_) writer_->Abort();
}

}  // namespace arca
