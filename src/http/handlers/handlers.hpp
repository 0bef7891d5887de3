// Handlers: plain functions from Request to Response, one file per area.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/app.hpp"
#include "http/http_types.hpp"
#include "http/metrics.hpp"

namespace arca::http::handlers {

Response Login(App& app, Request& req);
Response Me(App& app, Request& req);

Response Upload(App& app, Metrics& metrics, Request& req);
Response ListFiles(App& app, Request& req);
Response GetFile(App& app, Request& req);
Response PatchFile(App& app, Request& req);
Response DeleteFile(App& app, Request& req);
Response Download(App& app, Request& req);
// The three hot reads for a store that reads without blocking
// (Route::async_handler): same answers, given to `respond` when the
// database has answered.
void ListFilesAsync(App& app, Request& req, Respond respond);
void GetFileAsync(App& app, Request& req, Respond respond);
void DownloadAsync(App& app, Request& req, Respond respond);

Response Blob(App& app, const std::string& secret, Request& req);

Response Health(Request& req);
Response Ready(App& app, Request& req);
Response MetricsText(Metrics& metrics, Request& req);
Response OpenApi(Request& req);
// The placeholder page, for a build without the web UI.
Response Index(Request& req);

// The web UI (static_handler.cpp). `web_dir` is the canonical path of the
// built UI (web/dist): "/" answers its index.html, "/assets/{path*}" its
// hashed files; both carry the UI's Content-Security-Policy.
Response WebIndex(const std::string& web_dir, Request& req);
Response WebAsset(const std::string& web_dir, Request& req);
// `rel` with clean segments joined by '/'; none when a segment is empty,
// starts with a dot ("..", ".", hidden files) or holds a backslash or a
// control character.
std::optional<std::string> SafeRelativePath(std::string_view rel);
std::string_view ContentTypeFor(std::string_view path);
// The UI to serve: `configured` (ARCA_WEB_DIR) when set, which must hold an
// index.html (none otherwise: a bad setting); else <dir of exe_path>/../web/dist
// when it holds one; else "" (serve the placeholder page).
std::optional<std::string> FindWebDir(const std::string& configured, const std::string& exe_path);

}  // namespace arca::http::handlers
