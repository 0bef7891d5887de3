// Builds the adapters the settings ask for and the App that ties them to
// the use cases. The only place that knows every adapter.
#pragma once

#include <memory>

#include "app/app.hpp"
#include "cli/settings.hpp"
#include "http/metrics.hpp"

namespace arca::localfs {
class LocalFsObjectStore;
}
namespace arca::postgres {
class PgMetadataStore;
}

namespace arca::cli {

struct Runtime {
  Settings settings;
  std::unique_ptr<http::Metrics> metrics;  // what /metrics shows; adapters' wrappers feed it too
  std::unique_ptr<MetadataStore> meta;
  std::unique_ptr<ObjectStore> objects;
  std::unique_ptr<EventBus> bus;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<PasswordHasher> passwords;
  std::unique_ptr<ContentSniffer> sniffer;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<UserCache> users;
  std::unique_ptr<App> app;
  localfs::LocalFsObjectStore* local_store = nullptr;  // set with file:// storage
  postgres::PgMetadataStore* pg_meta = nullptr;        // set with postgres:// records
  std::string blob_link_secret;                         // with file:// storage
};

// Opens everything and applies migrations; errors name the setting at fault.
Result<std::unique_ptr<Runtime>> BuildRuntime(const Settings& settings);

}  // namespace arca::cli
