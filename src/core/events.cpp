#include "core/events.hpp"

#include <boost/json.hpp>

#include "core/time.hpp"

namespace arca {
namespace json = boost::json;
namespace {

json::object HeaderJson(const EventHeader& h) {
  return {{"event_id", h.event_id},  {"type", h.type},
          {"version", h.version},    {"file_id", h.file_id},
          {"occurred_at", FormatRfc3339(h.occurred_at)}, {"request_id", h.request_id}};
}

Status Poison(const std::string& why) { return InvalidArgument("poison_message", why); }

// Reads fields leniently where the contract allows absence, strictly where not.
struct Reader {
  const json::object& o;
  std::string error;
  std::string Str(const char* k, bool required = true) {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) {
      if (required && error.empty()) error = std::string("missing field ") + k;
      return "";
    }
    if (!v->is_string()) {
      if (error.empty()) error = std::string("field ") + k + " is not a string";
      return "";
    }
    return std::string(v->as_string());
  }
  std::int64_t Int(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || !v->is_int64()) {
      if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
      if (error.empty()) error = std::string("missing integer field ") + k;
      return 0;
    }
    return v->as_int64();
  }
  Micros Time(const char* k) {
    std::string s = Str(k);
    auto t = ParseRfc3339(s);
    if (!t && error.empty()) error = std::string("field ") + k + " is not an RFC 3339 time";
    return t.value_or(0);
  }
};

Result<json::object> ParseObject(std::string_view text, std::string_view want_type, EventHeader& h) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Poison("not a JSON object");
  json::object o = v.as_object();
  Reader r{o, {}};
  h.event_id = r.Str("event_id");
  h.type = r.Str("type");
  h.version = static_cast<int>(r.Int("version"));
  h.file_id = r.Str("file_id");
  h.occurred_at = r.Time("occurred_at");
  h.request_id = r.Str("request_id", false);
  if (!r.error.empty()) return Poison(r.error);
  if (h.type != want_type) return Poison("expected type " + std::string(want_type) + ", got " + h.type);
  if (h.version != kEventVersion) return Poison("unknown event version " + std::to_string(h.version));
  return o;
}

}  // namespace

std::string ToJson(const FileUploaded& e) {
  json::object o = HeaderJson(e.header);
  const FileRecord& f = e.file;
  json::array tags;
  for (auto& t : f.tags) tags.emplace_back(t);
  o["owner_id"] = f.owner_id;
  o["owner"] = f.owner_username;
  o["project"] = f.project;
  o["folder"] = f.folder;
  o["name"] = f.name;
  o["bucket"] = f.bucket;
  o["object_key"] = f.object_key;
  o["size"] = f.size;
  o["content_type"] = f.content_type;
  o["declared_content_type"] = f.declared_content_type;
  o["sha256"] = f.sha256;
  o["description"] = f.description;
  o["tags"] = std::move(tags);
  o["status"] = ToString(f.status);
  o["created_at"] = FormatRfc3339(f.created_at);
  return json::serialize(o);
}

std::string ToJson(const DeleteRequested& e) {
  json::object o = HeaderJson(e.header);
  o["user_id"] = e.user_id;
  o["bucket"] = e.bucket;
  o["object_key"] = e.object_key;
  return json::serialize(o);
}

std::string ToJson(const RenameRequested& e) {
  json::object o = HeaderJson(e.header);
  o["user_id"] = e.user_id;
  o["bucket"] = e.bucket;
  o["old_key"] = e.old_key;
  o["new_key"] = e.new_key;
  o["name"] = e.name;
  o["folder"] = e.folder;
  return json::serialize(o);
}

Result<FileUploaded> ParseFileUploaded(std::string_view text) {
  FileUploaded e;
  auto o = ParseObject(text, "file.uploaded", e.header);
  if (!o.ok()) return o.status();
  Reader r{*o, {}};
  FileRecord& f = e.file;
  f.id = e.header.file_id;
  f.owner_id = r.Str("owner_id");
  f.owner_username = r.Str("owner", false);
  f.project = r.Str("project", false);
  f.folder = r.Str("folder", false);
  f.name = r.Str("name");
  f.bucket = r.Str("bucket", false);
  f.object_key = r.Str("object_key");
  f.size = r.Int("size");
  f.content_type = r.Str("content_type");
  f.declared_content_type = r.Str("declared_content_type", false);
  f.sha256 = r.Str("sha256");
  f.description = r.Str("description", false);
  f.created_at = r.Time("created_at");
  if (auto* tags = o->if_contains("tags"); tags && tags->is_array()) {
    for (auto& t : tags->as_array())
      if (t.is_string()) f.tags.emplace_back(t.as_string());
  }
  auto st = ParseReviewStatus(r.Str("status", false));
  f.status = st.value_or(ReviewStatus::kPending);
  if (!r.error.empty()) return Poison(r.error);
  f.state = FileState::kReady;
  f.updated_at = f.created_at;
  return e;
}

Result<DeleteRequested> ParseDeleteRequested(std::string_view text) {
  DeleteRequested e;
  auto o = ParseObject(text, "file.delete_requested", e.header);
  if (!o.ok()) return o.status();
  Reader r{*o, {}};
  e.user_id = r.Str("user_id");
  e.bucket = r.Str("bucket", false);
  e.object_key = r.Str("object_key");
  if (!r.error.empty()) return Poison(r.error);
  return e;
}

Result<RenameRequested> ParseRenameRequested(std::string_view text) {
  RenameRequested e;
  auto o = ParseObject(text, "file.rename_requested", e.header);
  if (!o.ok()) return o.status();
  Reader r{*o, {}};
  e.user_id = r.Str("user_id");
  e.bucket = r.Str("bucket", false);
  e.old_key = r.Str("old_key");
  e.new_key = r.Str("new_key");
  e.name = r.Str("name");
  e.folder = r.Str("folder", false);
  if (!r.error.empty()) return Poison(r.error);
  return e;
}

std::string WithDeadLetterInfo(std::string_view text, const std::string& error, int attempts) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  json::object o;
  if (!ec && v.is_object()) o = v.as_object();
  else o["raw"] = std::string(text);
  o["error"] = error;
  o["attempts"] = attempts;
  return json::serialize(o);
}

}  // namespace arca
