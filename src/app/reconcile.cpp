#include "app/reconcile.hpp"

#include <boost/json.hpp>
#include <deque>
#include <future>
#include <map>

#include "app/file_objects.hpp"
#include "app/upload_file.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/names.hpp"
#include "core/time.hpp"

namespace arca {
namespace {

// One pass: two cursors walking the sorted listings side by side.
class Pass {
 public:
  Pass(App& app, const ReconcileOptions& o)
      : app_(app), o_(o), prefix_(o.prefix.empty() ? KeyPrefix(app.settings.key_layout) : o.prefix) {
    // Every key under the prefix sorts after the prefix itself.
    last_row_key_ = prefix_;
    report_.started_at = app.clock.Now();
    cutoff_ = report_.started_at - std::chrono::duration_cast<std::chrono::microseconds>(o.grace).count();
  }

  Result<ReconcileReport> Run() {
    ARCA_RETURN_IF_ERROR(Merge());
    ARCA_RETURN_IF_ERROR(Uploads());
    report_.finished_at = app_.clock.Now();
    return report_;
  }

 private:
  Status Merge() {
    for (;;) {
      ARCA_RETURN_IF_ERROR(FillObjects());
      ARCA_RETURN_IF_ERROR(FillRows());
      if (objects_.empty() && rows_.empty()) return Status::Ok();
      if (!objects_.empty() && (rows_.empty() || objects_.front().key < rows_.front().object_key)) {
        ARCA_RETURN_IF_ERROR(ObjectAlone(objects_.front()));
        objects_.pop_front();
      } else if (!rows_.empty() && (objects_.empty() || rows_.front().object_key < objects_.front().key)) {
        ARCA_RETURN_IF_ERROR(RowAlone(rows_.front()));
        rows_.pop_front();
      } else {
        ARCA_RETURN_IF_ERROR(Both(objects_.front(), rows_.front()));
        objects_.pop_front();
        rows_.pop_front();
      }
    }
  }

  // Keeps at most one page of each side in memory, plus the next page of
  // objects, fetched in the background while this one is merged: the
  // store's listing is the slow side, so the row scans hide behind it.
  Status FillObjects() {
    if (!objects_.empty() || objects_done_) return Status::Ok();
    if (!prefetch_.valid()) prefetch_ = Fetch(std::nullopt);
    auto page = prefetch_.get();
    if (!page.ok()) return page.status();
    if (page->next) prefetch_ = Fetch(page->next);
    else objects_done_ = true;
    for (auto& item : page->items) objects_.push_back(std::move(item));
    report_.objects += static_cast<std::int64_t>(page->items.size());
    return Status::Ok();
  }
  std::future<Result<ObjectListing>> Fetch(std::optional<std::string> next) {
    return std::async(std::launch::async,
                      [this, next = std::move(next)] { return app_.objects.List(prefix_, next, o_.page); });
  }

  Status FillRows() {
    while (rows_.empty() && !rows_done_) {
      auto page = app_.meta.ScanByObjectKey(last_row_key_, o_.page);
      if (!page.ok()) return page.status();
      if (page->size() < o_.page) rows_done_ = true;
      if (page->empty()) break;
      last_row_key_ = page->back().object_key;
      for (auto& r : *page) {
        // Past the prefix (keys of the other layout sort after it): done.
        if (!r.object_key.starts_with(prefix_)) {
          rows_done_ = true;
          break;
        }
        ++report_.rows;
        rows_.push_back(std::move(r));
      }
    }
    return Status::Ok();
  }

  void Note(const char* kind, const std::string& key, std::string detail) {
    if (noted_[kind]++ < o_.max_examples) report_.examples.push_back({kind, key, std::move(detail)});
  }

  // An object with no row: an upload whose row is not written yet (young),
  // or a crash's leftover. Adopted from its own metadata when that is
  // valid and the file was not deleted; removed otherwise.
  Status ObjectAlone(const StoredObject& obj) {
    if (obj.modified_at > cutoff_) {
      ++report_.young;
      return Status::Ok();
    }
    ++report_.orphans;
    if (!o_.fix) {
      Note("orphan", obj.key, "object with no row");
      return Status::Ok();
    }
    auto head = app_.objects.Head(obj.key);
    if (!head.ok()) {
      if (head.status().kind() == ErrorKind::kNotFound) return Status::Ok();  // gone meanwhile
      return head.status();
    }
    const std::string id = IdOf(obj.key, *head);
    auto tomb = app_.meta.IsTombstoned(id);
    if (!tomb.ok()) return tomb.status();
    auto elsewhere = app_.meta.GetFile(id);
    if (!elsewhere.ok() && elsewhere.status().kind() != ErrorKind::kNotFound) return elsewhere.status();
    std::string why;
    if (*tomb) {
      why = "the file was deleted";
    } else if (elsewhere.ok()) {
      // The file lives under another key: a copy a physical rename left
      // behind (cut short before or after pointing the row at its new key).
      auto own = app_.objects.Head(elsewhere->object_key);
      if (!own.ok() && own.status().kind() != ErrorKind::kNotFound) return own.status();
      if (!own.ok()) {
        ++report_.orphans_left;
        Note("orphan", obj.key, "kept: the only copy of file " + id + ", whose row points at the missing " +
                                    elsewhere->object_key);
        return Status::Ok();
      }
      why = "a leftover copy of file " + id + ", which lives at " + elsewhere->object_key;
    } else {
      auto adopted = Adopt(obj, *head, id);
      if (adopted.ok()) {
        ++report_.adopted;
        Note("orphan", obj.key, "adopted from its metadata");
        return Status::Ok();
      }
      if (adopted.kind() != ErrorKind::kInvalidArgument) return adopted;
      why = adopted.message();
    }
    if (report_.orphans_deleted >= o_.max_deletes) {
      ++report_.orphans_left;
      Note("orphan", obj.key, why + "; left for the next pass (max deletes reached)");
      return Status::Ok();
    }
    ARCA_RETURN_IF_ERROR(app_.objects.Delete(obj.key));
    ++report_.orphans_deleted;
    Note("orphan", obj.key, why + "; deleted");
    return Status::Ok();
  }

  // Opaque keys name the file; named keys carry it in the object's metadata.
  std::string IdOf(const std::string& key, const ObjectInfo& head) const {
    if (prefix_ == KeyPrefix(KeyLayout::kOpaque)) return key.substr(prefix_.size());
    return FileIdIn(head.meta);
  }

  // kInvalidArgument when the object's own facts are not enough for a row.
  Status Adopt(const StoredObject& obj, const ObjectInfo& head, const std::string& id) {
    auto meta = [&](const char* k) -> std::string {
      auto it = head.meta.find(k);
      return it == head.meta.end() ? "" : it->second;
    };
    if (meta("arca-id") != id || !IsValidId(id)) return InvalidArgument("bad_metadata", "no matching arca-id");
    auto owner = app_.meta.FindUserById(meta("arca-owner"));
    if (!owner.ok()) {
      if (owner.status().kind() == ErrorKind::kNotFound) return InvalidArgument("bad_metadata", "unknown owner");
      return owner.status();
    }
    auto name = PercentDecode(meta("arca-name"));
    auto folder = PercentDecode(meta("arca-folder"));
    auto project = PercentDecode(meta("arca-project"));
    if (!name || !folder || !project || !ValidateFileName(*name).ok())
      return InvalidArgument("bad_metadata", "unreadable name, folder or project");
    auto normal_folder = NormalizeFolder(*folder);
    if (!normal_folder.ok()) return InvalidArgument("bad_metadata", "invalid folder");

    // The row needs the hash and the sniffed type: read the object once.
    auto reader = app_.objects.Get(obj.key, std::nullopt);
    if (!reader.ok()) return reader.status();
    Sha256 hash;
    std::string head_bytes;
    std::int64_t size = 0;
    std::vector<char> buf(256 * 1024);
    for (;;) {
      auto n = (*reader)->Read(buf.data(), buf.size());
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      std::string_view chunk(buf.data(), *n);
      hash.Update(chunk);
      if (head_bytes.size() < kSniffBytes) head_bytes.append(chunk.substr(0, kSniffBytes - head_bytes.size()));
      size += static_cast<std::int64_t>(*n);
    }
    FileRecord r;
    r.id = id;
    r.name = *name;
    r.folder = *normal_folder;
    r.project = *project;
    r.owner_id = owner->id;
    r.size = size;
    r.declared_content_type = "application/octet-stream";
    r.content_type = EffectiveType(app_.sniffer.Sniff(head_bytes), r.declared_content_type);
    r.sha256 = hash.FinishHex();
    r.state = FileState::kReady;
    r.bucket = app_.objects.Bucket();
    r.object_key = obj.key;
    r.created_at = obj.modified_at;
    r.updated_at = report_.started_at;
    return app_.meta.InsertFiles({r});
  }

  // A row whose object is not there.
  Status RowAlone(const FileRecord& row) {
    switch (row.state) {
      case FileState::kReady:
        ++report_.missing;
        if (o_.fix) {
          Status st = app_.meta.MarkMissing(row.id, report_.started_at);
          if (st.ok()) ++report_.marked_missing;
          else if (st.kind() != ErrorKind::kNotFound) return st;  // changed meanwhile: leave it
        }
        Note("missing", row.object_key, "row " + row.id + " is ready but its object is gone");
        return Status::Ok();
      case FileState::kMissing:
        return Status::Ok();  // known already
      default:
        return Stuck(row);
    }
  }

  Status Both(const StoredObject& obj, const FileRecord& row) {
    if (row.state == FileState::kDeleting || row.state == FileState::kPending || row.state == FileState::kProcessing)
      return Stuck(row);
    if (obj.size != row.size) {
      ++report_.size_mismatches;
      Note("size_mismatch", obj.key,
           "row says " + std::to_string(row.size) + " bytes, object has " + std::to_string(obj.size));
    }
    return Status::Ok();
  }

  // Work that should have finished by now. Deletes are sent again; the
  // deleter is idempotent, so a delete still in a queue is harmless twice.
  Status Stuck(const FileRecord& row) {
    if (row.updated_at > cutoff_) return Status::Ok();  // in flight
    if (row.state != FileState::kDeleting && row.state != FileState::kPending && row.state != FileState::kProcessing)
      return Status::Ok();
    ++report_.stuck;
    std::string detail = "row " + row.id + " in state " + std::string(ToString(row.state));
    if (o_.fix && row.state == FileState::kDeleting) {
      DeleteRequested ev{{NewId(), "file.delete_requested", kEventVersion, row.id, report_.started_at, "reconcile"},
                         row.owner_id,
                         row.bucket,
                         row.object_key};
      ARCA_RETURN_IF_ERROR(app_.bus.Publish(app_.settings.topics.delete_requested, row.id, ToJson(ev)));
      ++report_.deletes_reissued;
      detail += "; delete sent again";
    }
    Note("stuck", row.object_key, std::move(detail));
    return Status::Ok();
  }

  Status Uploads() {
    auto uploads = app_.objects.ListUnfinished(prefix_);
    if (!uploads.ok()) return uploads.status();
    for (const auto& u : *uploads) {
      if (u.started_at > cutoff_) continue;
      ++report_.abandoned_uploads;
      if (o_.fix) {
        ARCA_RETURN_IF_ERROR(app_.objects.AbortUnfinished(u));
        ++report_.uploads_aborted;
      }
      Note("abandoned_upload", u.key.empty() ? u.id : u.key, o_.fix ? "aborted" : "unfinished upload");
    }
    return Status::Ok();
  }

  App& app_;
  const ReconcileOptions& o_;
  const std::string prefix_;
  ReconcileReport report_;
  Micros cutoff_ = 0;
  std::map<std::string, size_t> noted_;  // examples kept so far, by kind
  std::deque<StoredObject> objects_;
  std::future<Result<ObjectListing>> prefetch_;
  bool objects_done_ = false;
  std::deque<FileRecord> rows_;
  std::string last_row_key_;
  bool rows_done_ = false;
};

}  // namespace

Result<ReconcileReport> Reconcile(App& app, const ReconcileOptions& options) { return Pass(app, options).Run(); }

std::string ToJson(const ReconcileReport& r) {
  boost::json::array examples;
  for (const auto& e : r.examples) examples.push_back({{"kind", e.kind}, {"key", e.key}, {"detail", e.detail}});
  boost::json::object o{
      {"started_at", FormatRfc3339(r.started_at)},
      {"finished_at", FormatRfc3339(r.finished_at)},
      {"scanned", {{"objects", r.objects}, {"rows", r.rows}, {"young_objects", r.young}}},
      {"differences", r.differences()},
      {"found",
       {{"orphans", r.orphans},
        {"missing", r.missing},
        {"size_mismatches", r.size_mismatches},
        {"stuck", r.stuck},
        {"abandoned_uploads", r.abandoned_uploads}}},
      {"fixed",
       {{"adopted", r.adopted},
        {"orphans_deleted", r.orphans_deleted},
        {"orphans_left", r.orphans_left},
        {"marked_missing", r.marked_missing},
        {"deletes_reissued", r.deletes_reissued},
        {"uploads_aborted", r.uploads_aborted}}},
      {"examples", std::move(examples)},
  };
  return boost::json::serialize(o);
}

}  // namespace arca
