#include "app/background_work.hpp"

namespace arca {

Status RecordUploads(App& app, const std::vector<FileUploaded>& events) {
  std::vector<FileRecord> rows;
  rows.reserve(events.size());
  for (const auto& e : events) rows.push_back(e.file);
  return app.meta.InsertFiles(rows);
}

}  // namespace arca
