#include "app/read_files.hpp"

namespace arca {

Result<FilePage> ListFiles(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params) {
  auto query = ParseListQuery(params, caller);
  if (!query.ok()) return query.status();
  return app.meta.ListFiles(*query);
}

}  // namespace arca
