#include <boost/json.hpp>

#include "app/change_files.hpp"
#include "app/read_files.hpp"
#include "core/encoding.hpp"
#include "core/list_query.hpp"
#include "core/time.hpp"
#include "http/file_json.hpp"
#include "http/handlers/handlers.hpp"

namespace arca::http::handlers {
namespace json = boost::json;

namespace {
const std::string& Id(const Request& req) { return req.path_params.at("id"); }

// The answers of the three reads, shared by the blocking and async handlers.
Response PageAnswer(const Result<FilePage>& page) {
  if (!page.ok()) return Problem(page.status());
  std::string body = "{\"items\":[";
  body.reserve(page->items.size() * 560 + 64);
  for (size_t i = 0; i < page->items.size(); ++i) {
    if (i) body.push_back(',');
    AppendFileJson(body, page->items[i]);
  }
  body += "],\"next_cursor\":";
  if (page->next) AppendJsonString(body, EncodeCursor(*page->next));
  else body += "null";
  body.push_back('}');
  return Json(200, std::move(body));
}

Response RecordAnswer(const Result<FileRecord>& f) {
  if (!f.ok()) return Problem(f.status());
  return Json(200, FileJson(*f));
}

Response LinkAnswer(const Request& req, const Result<PresignedLink>& link) {
  if (!link.ok()) return Problem(link.status());
  auto redirect = req.query.find("redirect");
  if (redirect != req.query.end() && (redirect->second == "true" || redirect->second == "1")) {
    Response r;
    r.status = 302;
    r.Header("Location", link->url);
    r.Header("Cache-Control", "no-store");
    return r;
  }
  // Written directly, as the file records are: this is the hot download path.
  std::string body = "{\"url\":";
  AppendJsonString(body, link->url);
  body += ",\"expires_at\":";
  AppendJsonString(body, FormatRfc3339(link->expires_at * 1000000));
  body += '}';
  Response r = Json(200, std::move(body));
  r.Header("Cache-Control", "no-store");
  return r;
}

}  // namespace

Response ListFiles(App& app, Request& req) { return PageAnswer(arca::ListFiles(app, *req.caller, req.query)); }

void ListFilesAsync(App& app, Request& req, Respond respond) {
  arca::ListFilesAsync(app, *req.caller, req.query,
                       [respond = std::move(respond)](Result<FilePage> page) { respond(PageAnswer(page)); });
}

Response GetFile(App& app, Request& req) { return RecordAnswer(arca::GetFile(app, *req.caller, Id(req))); }

void GetFileAsync(App& app, Request& req, Respond respond) {
  arca::GetFileAsync(app, *req.caller, Id(req),
                     [respond = std::move(respond)](Result<FileRecord> f) { respond(RecordAnswer(f)); });
}

Response PatchFile(App& app, Request& req) {
  auto body = req.ReadBody(64 * 1024);
  if (!body.ok()) return Problem(body.status());
  boost::system::error_code ec;
  json::value v = json::parse(*body, ec);
  if (ec || !v.is_object()) return Problem(400, "invalid_body", "expected a JSON object");
  FilePatch patch;
  for (auto& [key, val] : v.as_object()) {
    auto text = [&](std::optional<std::string>& out) -> bool {
      if (!val.is_string()) return false;
      out = std::string(val.as_string());
      return true;
    };
    bool ok = true;
    if (key == "name") ok = text(patch.name);
    else if (key == "folder") ok = text(patch.folder);
    else if (key == "description") ok = text(patch.description);
    else if (key == "status") {
      std::optional<std::string> s;
      ok = text(s) && (patch.status = ParseReviewStatus(*s)).has_value();
    } else if (key == "tags") {
      ok = val.is_array();
      if (ok) {
        patch.tags.emplace();
        for (auto& t : val.as_array()) {
          if (!t.is_string()) { ok = false; break; }
          patch.tags->emplace_back(t.as_string());
        }
      }
    } else {
      return Problem(400, "invalid_body", "unknown field '" + std::string(key) + "'");
    }
    if (!ok) return Problem(400, "invalid_body", "field '" + std::string(key) + "' has the wrong type or value");
  }
  auto f = arca::UpdateFile(app, *req.caller, Id(req), std::move(patch), req.request_id);
  if (!f.ok()) return Problem(f.status());
  return Json(f->renaming ? 202 : 200, FileJson(f->record));
}

Response DeleteFile(App& app, Request& req) {
  auto f = arca::RequestDelete(app, *req.caller, Id(req), req.request_id);
  if (!f.ok()) return Problem(f.status());
  return Json(202, json::serialize(json::object{{"id", f->id}, {"state", "deleting"}}));
}

Response Download(App& app, Request& req) { return LinkAnswer(req, arca::DownloadLink(app, *req.caller, Id(req))); }

void DownloadAsync(App& app, Request& req, Respond respond) {
  arca::DownloadLinkAsync(app, *req.caller, Id(req), [&req, respond = std::move(respond)](Result<PresignedLink> link) {
    respond(LinkAnswer(req, link));
  });
}

}  // namespace arca::http::handlers
