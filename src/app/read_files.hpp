// Reading files: one record, a listing, and a download link. Each checks the
// caller may see the file; otherwise the answer is "file_not_found".
#pragma once

#include <map>

#include "app/app.hpp"

namespace arca {

Result<FileRecord> GetFile(App& app, const Caller& caller, const std::string& id);
Result<FilePage> ListFiles(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params);
Result<PresignedLink> DownloadLink(App& app, const Caller& caller, const std::string& id);

}  // namespace arca
