#include "http/file_json.hpp"

#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca::http {

void AppendFileJson(std::string& out, const FileRecord& f) {
  auto field = [&out](std::string_view name, std::string_view value) {
    out.append(name);
    AppendJsonString(out, value);
  };
  field("{\"id\":", f.id);
  field(",\"name\":", f.name);
  field(",\"folder\":", f.folder);
  field(",\"project\":", f.project);
  field(",\"owner\":{\"id\":", f.owner_id);
  field(",\"username\":", f.owner_username);
  out += "},\"size\":";
  out += std::to_string(f.size);
  field(",\"content_type\":", f.content_type);
  field(",\"declared_content_type\":", f.declared_content_type);
  field(",\"sha256\":", f.sha256);
  field(",\"description\":", f.description);
  out += ",\"tags\":[";
  for (size_t i = 0; i < f.tags.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, f.tags[i]);
  }
  out.push_back(']');
  field(",\"status\":", ToString(f.status));
  field(",\"state\":", ToString(f.state));
  field(",\"created_at\":", FormatRfc3339(f.created_at));
  field(",\"updated_at\":", FormatRfc3339(f.updated_at));
  out.push_back('}');
}

std::string FileJson(const FileRecord& f) {
  std::string out;
  out.reserve(512);
  AppendFileJson(out, f);
  return out;
}

}  // namespace arca::http
