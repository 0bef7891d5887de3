#include "cli/runtime.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/log.hpp"

#include "adapters/auth/argon2_password_hasher.hpp"
#include "adapters/auth/jwt_hs256.hpp"
#include "adapters/embedded_queue/sqlite_queue.hpp"
#include "adapters/kafka/kafka_bus.hpp"
#include "adapters/localfs/localfs_object_store.hpp"
#include "adapters/magic/libmagic_sniffer.hpp"
#include "adapters/postgres/pg_metadata_store.hpp"
#include "adapters/postgres/pg_queue.hpp"
#include "adapters/s3/s3_object_store.hpp"
#include "adapters/sqlite/sqlite_metadata_store.hpp"
#include "cli/metered_event_bus.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace arca::cli {
namespace fs = std::filesystem;
namespace {

// The token secret: from settings, else generated once and kept in the data
// dir, readable by the owner only.
Result<std::string> LoadOrCreateSecret(const Settings& s) {
  if (!s.jwt_secret.empty()) return s.jwt_secret;
  fs::path path = fs::path(s.data_dir) / "jwt-secret";
  std::error_code ec;
  fs::create_directories(s.data_dir, ec);
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    return InvalidArgument("invalid_setting", "setting jwt_secret: " + path.string() + " is shorter than 32 characters");
  }
  std::string secret = HexEncode(RandomBytes(32));
  fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    ::chmod(tmp.c_str(), 0600);
    out << secret << "\n";
    if (!out) return Unavailable("data_dir_unwritable", "cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return Unavailable("data_dir_unwritable", "cannot create " + path.string() + ": " + ec.message());
  return secret;
}

std::string PathOf(const std::string& url, std::string_view scheme) { return url.substr(scheme.size()); }

// A service that is down at start-up (a database still booting) is retried
// with backoff for a while; errors that no retry can fix end at once.
template <typename F>
Status WithRetry(const char* what, F&& step) {
  auto delay = std::chrono::milliseconds(200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    Status st = step();
    if (st.ok() || !st.retryable() || std::chrono::steady_clock::now() + delay > deadline) return st;
    log::Warn("waiting for a service", {{"service", what}, {"error", st.message()}});
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(5000));
  }
}

leased_queue::QueueOptions QueueOptionsFrom(const Settings& s) {
  leased_queue::QueueOptions o;
  o.lease = s.queue_lease;
  return o;
}

Result<std::unique_ptr<EventBus>> OpenKafka(const Settings& s) {
  auto brokers = kafka::ParseBrokerUrl(s.broker_url);
  if (!brokers.ok()) return brokers.status();
  kafka::KafkaOptions o;
  o.brokers = *brokers;
  o.topics = {s.topics.uploaded, s.topics.delete_requested, s.topics.rename_requested, s.topics.processed};
  o.partitions = s.kafka_partitions;
  o.replication = s.kafka_replication;
  o.publish_timeout = s.kafka_publish_timeout;
  // The groups of the worker roles (workers/*.cpp), so /metrics shows their
  // lag even from an API node that runs no consumer.
  o.role_groups = {{s.topics.uploaded, "metadata"},
                   {s.topics.delete_requested, "delete"},
                   {s.topics.rename_requested, "rename"}};
  o.log = [](bool warning, const std::string& what, const std::string& detail) {
    if (warning) log::Warn("kafka", {{"what", what}, {"detail", detail}});
    else log::Info("kafka", {{"what", what}, {"detail", detail}});
  };
  auto bus = kafka::KafkaBus::Open(std::move(o));
  if (!bus.ok()) return bus.status();
  return std::unique_ptr<EventBus>(std::move(bus).value());
}

}  // namespace

Result<std::unique_ptr<Runtime>> BuildRuntime(const Settings& s) {
  auto rt = std::make_unique<Runtime>();
  rt->settings = s;
  rt->metrics = std::make_unique<http::Metrics>();

  auto secret = LoadOrCreateSecret(s);
  if (!secret.ok()) return secret.status();

  if (s.database_url.starts_with("sqlite://")) {
    const std::string db_path = PathOf(s.database_url, "sqlite://");
    auto meta = sqlite::SqliteMetadataStore::Open(db_path);
    if (!meta.ok()) return meta.status();
    rt->meta = std::move(meta).value();
    if (s.broker_url == "embedded") {
      auto queue = embedded_queue::SqliteQueue::Open(db_path, QueueOptionsFrom(s));
      if (!queue.ok()) return queue.status();
      rt->bus = std::move(queue).value();
    }
  } else {
    auto meta = std::make_unique<postgres::PgMetadataStore>(s.database_url, 16);
    rt->pg_meta = meta.get();
    rt->meta = std::move(meta);
    if (s.broker_url == "embedded") rt->bus = std::make_unique<postgres::PgQueue>(s.database_url, 8, QueueOptionsFrom(s));
  }
  if (!rt->bus) {
    auto bus = OpenKafka(s);
    if (!bus.ok()) return bus.status();
    rt->bus = std::move(bus).value();
  }
  rt->bus = std::make_unique<MeteredEventBus>(std::move(rt->bus), *rt->metrics);
  ARCA_RETURN_IF_ERROR(WithRetry("database", [&] { return rt->meta->Migrate(); }));
  ARCA_RETURN_IF_ERROR(WithRetry("broker", [&] { return rt->bus->Prepare(); }));

  if (s.storage_url.starts_with("s3://")) {
    auto cfg = s3::ParseStorageUrl(s.storage_url, s.s3_access_key, s.s3_secret_key);
    if (!cfg.ok()) return cfg.status();
    rt->objects = std::make_unique<s3::S3ObjectStore>(*cfg, s.max_upload);
    ARCA_RETURN_IF_ERROR(WithRetry("storage", [&] { return rt->objects->Prepare(); }));
  } else {
    // Download links get their own key, derived so one secret setting suffices.
    rt->blob_link_secret = HexEncode(HmacSha256(*secret, "arca blob links v1"));
    std::string public_url = s.public_url.empty() ? "http://" + s.listen : s.public_url;
    auto store = std::make_unique<localfs::LocalFsObjectStore>(
        localfs::LocalFsOptions{PathOf(s.storage_url, "file://"), public_url, rt->blob_link_secret});
    ARCA_RETURN_IF_ERROR(store->Prepare());
    rt->local_store = store.get();
    rt->objects = std::move(store);
  }

  rt->tokens = std::make_unique<auth::JwtHs256>(*secret);
  rt->passwords = std::make_unique<auth::Argon2PasswordHasher>();
  rt->sniffer = std::make_unique<magic::LibmagicSniffer>();
  rt->clock = std::make_unique<SystemClock>();

  AppSettings as;
  as.write_mode = s.write_mode;
  as.key_layout = s.key_layout == "named" ? KeyLayout::kNamed : KeyLayout::kOpaque;  // checked by settings
  as.presign_ttl = s.presign_ttl;
  as.max_upload = s.max_upload;
  as.login_ttl = s.login_ttl;
  as.topics = s.topics;
  as.reconcile_interval = s.reconcile_interval;
  as.reconcile_grace = s.reconcile_grace;
  rt->users = std::make_unique<UserCache>();
  rt->app = std::unique_ptr<App>(new App{*rt->meta, *rt->objects, *rt->bus, *rt->tokens, *rt->passwords,
                                         *rt->sniffer, *rt->clock, as, rt->users.get()});
  return rt;
}

}  // namespace arca::cli
