// Reading files: one record, a listing, and a download link. Each checks the
// caller may see the file; otherwise the answer is "file_not_found".
#pragma once

#include <map>

#include "app/app.hpp"

namespace arca {

Result<FileRecord> GetFile(App& app, const Caller& caller, const std::string& id);
Result<FilePage> ListFiles(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params);
Result<PresignedLink> DownloadLink(App& app, const Caller& caller, const std::string& id);

// The same three for a caller on an event loop: they reach the database
// through MetadataStore's *Async reads and apply the same rules (the rule
// code is shared, see each .cpp). `done` is called exactly once, on the
// thread the store completes on. `caller` and `params` must stay alive
// until then (the HTTP server keeps the request until it has the answer).
void GetFileAsync(App& app, const Caller& caller, const std::string& id, ResultCallback<FileRecord> done);
void ListFilesAsync(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params,
                    ResultCallback<FilePage> done);
void DownloadLinkAsync(App& app, const Caller& caller, const std::string& id, ResultCallback<PresignedLink> done);

}  // namespace arca
