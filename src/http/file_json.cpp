#include "http/file_json.hpp"

#include <boost/json.hpp>

#include "core/time.hpp"

namespace arca::http {

boost::json::object FileJson(const FileRecord& f) {
  boost::json::array tags;
  for (auto& t : f.tags) tags.emplace_back(t);
  return {{"id", f.id},
          {"name", f.name},
          {"folder", f.folder},
          {"project", f.project},
          {"owner", {{"id", f.owner_id}, {"username", f.owner_username}}},
          {"size", f.size},
          {"content_type", f.content_type},
          {"declared_content_type", f.declared_content_type},
          {"sha256", f.sha256},
          {"description", f.description},
          {"tags", std::move(tags)},
          {"status", ToString(f.status)},
          {"state", ToString(f.state)},
          {"created_at", FormatRfc3339(f.created_at)},
          {"updated_at", FormatRfc3339(f.updated_at)}};
}

}  // namespace arca::http
