// Settings from, in order of precedence: flags, ARCA_* environment
// variables, a TOML config file, defaults (CONTRACT §2).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "app/app.hpp"

namespace arca::cli {

struct Settings {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./arca-data";
  std::string database_url;  // default sqlite://<data dir>/arca.db
  std::string storage_url;   // default file://<data dir>/objects
  std::string s3_access_key;  // for s3:// storage
  std::string s3_secret_key;
  std::string broker_url = "embedded";
  WriteMode write_mode = WriteMode::kAsync;
  std::string key_layout = "opaque";
  std::chrono::seconds presign_ttl{300};
  std::uint64_t max_upload = 5ULL << 30;
  std::string jwt_secret;  // default: generated once into <data dir>/jwt-secret
  std::string public_url;  // default http://<listen>
  // The built web UI (web/dist). Empty: <binary dir>/../web/dist if it has
  // an index.html, else the placeholder page (serve.cpp, FindWebDir).
  std::string web_dir;
  // `arca serve` runs the consumer roles in-process. Unset: yes with the
  // embedded broker, no with Kafka (there `arca worker` does the work).
  std::optional<bool> serve_workers;
  int kafka_partitions = 6;    // for topics Arca creates
  int kafka_replication = -1;  // -1: the broker's default
  std::chrono::seconds kafka_publish_timeout{5};
  // Embedded queue: how long a message polled by a worker that then died
  // stays invisible before another worker gets it.
  std::chrono::seconds queue_lease{60};
  std::chrono::seconds reconcile_interval{3600};  // 0: the reconcile role does nothing
  std::chrono::seconds reconcile_grace{3600};
  std::chrono::seconds login_ttl{3600};
  std::string log_level = "info";
  Topics topics;  // ARCA_TOPIC_UPLOADED, _DELETE, _RENAME, _PROCESSED

  bool runs_workers_in_serve() const { return serve_workers.value_or(broker_url == "embedded"); }
  std::string listen_host() const;
  unsigned short listen_port() const;
};

// `flags` holds values given on the command line, by setting name
// ("listen", "data_dir", …). Returns InvalidArgument naming the bad setting.
Result<Settings> LoadSettings(const std::optional<std::string>& config_file,
                              const std::map<std::string, std::string>& flags);

}  // namespace arca::cli
