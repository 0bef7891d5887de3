// Handlers: plain functions from Request to Response, one file per area.
#pragma once

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
Response Index(Request& req);

}  // namespace arca::http::handlers
