#include "app/read_files.hpp"

namespace arca {

// The listing's rules (who sees what, `deleting` hidden) live in
// ParseListQuery and in the store's query; both paths share them.
Result<FilePage> ListFiles(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params) {
  auto query = ParseListQuery(params, caller);
  if (!query.ok()) return query.status();
  return app.meta.ListFiles(*query);
}

void ListFilesAsync(App& app, const Caller& caller, const std::multimap<std::string, std::string>& params,
                    ResultCallback<FilePage> done) {
  auto query = ParseListQuery(params, caller);
  if (!query.ok()) return done(query.status());
  app.meta.ListFilesAsync(*query, std::move(done));
}

}  // namespace arca
