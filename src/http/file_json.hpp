// The file record as JSON (CONTRACT §3 "The file record").
#pragma once

#include <boost/json/object.hpp>

#include "core/file_record.hpp"

namespace arca::http {

boost::json::object FileJson(const FileRecord& f);

}  // namespace arca::http
