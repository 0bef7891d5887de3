// The file record as JSON (CONTRACT §3 "The file record"), written straight
// into a string: listings encode 50 or more records per request, and
// building a Boost.JSON tree first cost ~100 µs a page, a large share of
// the request (docs/performance.md).
#pragma once

#include <string>

#include "core/file_record.hpp"

namespace arca::http {

void AppendFileJson(std::string& out, const FileRecord& f);
std::string FileJson(const FileRecord& f);

}  // namespace arca::http
