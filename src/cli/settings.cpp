#include "cli/settings.hpp"

#include <cstdlib>
#include <toml++/toml.h>

#include "core/units.hpp"

namespace arca::cli {
namespace {

struct Field {
  const char* name;  // TOML key; the env variable is ARCA_<NAME>
  // Applies a text value; returns an error message, or "" when fine.
  std::string (*apply)(Settings&, const std::string&);
};

std::string Bool(bool& out, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") out = true;
  else if (v == "false" || v == "0" || v == "no") out = false;
  else return "expected true or false, got '" + v + "'";
  return "";
}
std::string Duration(std::chrono::seconds& out, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d || d->count() <= 0) return "expected a duration such as 90s, 5m or 1h, got '" + v + "'";
  out = *d;
  return "";
}

std::string Int(int& out, const std::string& v, int lo, int hi) {
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used == v.size() && n >= lo && n <= hi) {
      out = n;
      return "";
    }
  } catch (...) {
  }
  return "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + v + "'";
}

// The same, where 0s means "off" or "none".
std::string DurationOrZero(std::chrono::seconds& out, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d) return "expected a duration such as 0s, 10m or 1h, got '" + v + "'";
  out = *d;
  return "";
}

// Kafka's rules for topic names, so a name that works here works there.
std::string Topic(std::string& out, const std::string& v) {
  if (v.empty() || v.size() > 200) return "a topic name has 1 to 200 characters";
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return "a topic name uses only letters, digits, '.', '_' and '-'";
  out = v;
  return "";
}

const Field kFields[] = {
    {"listen", [](Settings& s, const std::string& v) -> std::string {
       s.listen = v;
       size_t c = v.rfind(':');
       if (c == std::string::npos || c == 0) return "expected HOST:PORT, got '" + v + "'";
       try {
         int port = std::stoi(v.substr(c + 1));
         if (port < 0 || port > 65535) return "port out of range in '" + v + "'";
       } catch (...) {
         return "expected HOST:PORT, got '" + v + "'";
       }
       return "";
     }},
    {"data_dir", [](Settings& s, const std::string& v) -> std::string {
       if (v.empty()) return "must not be empty";
       s.data_dir = v;
       return "";
     }},
    {"database_url", [](Settings& s, const std::string& v) -> std::string {
       if (!v.starts_with("sqlite://") && !v.starts_with("postgres://") && !v.starts_with("postgresql://"))
         return "expected sqlite://PATH or postgres://user:pass@host:port/db";
       s.database_url = v;
       return "";
     }},
    {"storage_url", [](Settings& s, const std::string& v) -> std::string {
       if (!v.starts_with("file://") && !v.starts_with("s3://")) return "expected file://PATH or s3://BUCKET?endpoint=…";
       s.storage_url = v;
       return "";
     }},
    {"s3_access_key", [](Settings& s, const std::string& v) -> std::string {
       s.s3_access_key = v;
       return "";
     }},
    {"s3_secret_key", [](Settings& s, const std::string& v) -> std::string {
       s.s3_secret_key = v;
       return "";
     }},
    {"broker_url", [](Settings& s, const std::string& v) -> std::string {
       if (v != "embedded" && !v.starts_with("kafka://")) return "expected embedded or kafka://host:port[,host:port…]";
       s.broker_url = v;
       return "";
     }},
    {"write_mode", [](Settings& s, const std::string& v) -> std::string {
       if (v == "async") s.write_mode = WriteMode::kAsync;
       else if (v == "sync") s.write_mode = WriteMode::kSync;
       else return "expected async or sync, got '" + v + "'";
       return "";
     }},
    {"key_layout", [](Settings& s, const std::string& v) -> std::string {
       if (v != "opaque" && v != "named") return "expected opaque or named, got '" + v + "'";
       s.key_layout = v;
       return "";
     }},
    {"presign_ttl", [](Settings& s, const std::string& v) { return Duration(s.presign_ttl, v); }},
    {"max_upload", [](Settings& s, const std::string& v) -> std::string {
       auto n = ParseSize(v);
       if (!n || *n == 0) return "expected a size such as 5GiB or 100MB, got '" + v + "'";
       s.max_upload = *n;
       return "";
     }},
    {"jwt_secret", [](Settings& s, const std::string& v) -> std::string {
       if (v.size() < 32) return "must be at least 32 characters";
       s.jwt_secret = v;
       return "";
     }},
    {"public_url", [](Settings& s, const std::string& v) -> std::string {
       if (!v.starts_with("http://") && !v.starts_with("https://")) return "expected an http:// or https:// URL";
       s.public_url = v;
       while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
       return "";
     }},
    {"web_dir", [](Settings& s, const std::string& v) -> std::string {
       s.web_dir = v;  // checked for an index.html when `arca serve` starts
       return "";
     }},
    {"serve_workers", [](Settings& s, const std::string& v) {
       bool b = false;
       std::string err = Bool(b, v);
       if (err.empty()) s.serve_workers = b;
       return err;
     }},
    {"kafka_partitions", [](Settings& s, const std::string& v) { return Int(s.kafka_partitions, v, 1, 10000); }},
    {"kafka_replication", [](Settings& s, const std::string& v) -> std::string {
       if (v == "-1") {
         s.kafka_replication = -1;
         return "";
       }
       return Int(s.kafka_replication, v, 1, 100);
     }},
    {"queue_lease", [](Settings& s, const std::string& v) { return Duration(s.queue_lease, v); }},
    {"reconcile_interval", [](Settings& s, const std::string& v) { return DurationOrZero(s.reconcile_interval, v); }},
    {"reconcile_grace", [](Settings& s, const std::string& v) { return DurationOrZero(s.reconcile_grace, v); }},
    {"kafka_publish_timeout", [](Settings& s, const std::string& v) { return Duration(s.kafka_publish_timeout, v); }},
    {"login_ttl", [](Settings& s, const std::string& v) { return Duration(s.login_ttl, v); }},
    {"topic_uploaded", [](Settings& s, const std::string& v) { return Topic(s.topics.uploaded, v); }},
    {"topic_delete", [](Settings& s, const std::string& v) { return Topic(s.topics.delete_requested, v); }},
    {"topic_rename", [](Settings& s, const std::string& v) { return Topic(s.topics.rename_requested, v); }},
    {"topic_processed", [](Settings& s, const std::string& v) { return Topic(s.topics.processed, v); }},
    {"log_level", [](Settings& s, const std::string& v) -> std::string {
       if (v != "debug" && v != "info" && v != "warn" && v != "error") return "expected debug, info, warn or error";
       s.log_level = v;
       return "";
     }},
};

std::string EnvName(const char* key) {
  std::string n = "ARCA_";
  for (const char* p = key; *p; ++p) n.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(*p))));
  return n;
}

Status Apply(Settings& s, const Field& f, const std::string& value, const std::string& source) {
  std::string err = f.apply(s, value);
  if (err.empty()) return Status::Ok();
  return InvalidArgument("invalid_setting", "setting " + std::string(f.name) + " (" + source + "): " + err);
}

}  // namespace

std::string Settings::listen_host() const { return listen.substr(0, listen.rfind(':')); }
unsigned short Settings::listen_port() const {
  return static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

Result<Settings> LoadSettings(const std::optional<std::string>& config_file,
                              const std::map<std::string, std::string>& flags) {
  Settings s;
  std::optional<std::string> file = config_file;
  if (!file) {
    if (const char* env = std::getenv("ARCA_CONFIG"); env && *env) file = env;
  }
  if (file) {
    toml::table table;
    try {
      table = toml::parse_file(*file);
    } catch (const toml::parse_error& e) {
      return InvalidArgument("invalid_setting", "config file " + *file + ": " + std::string(e.description()));
    }
    for (auto& [key, node] : table) {
      const Field* field = nullptr;
      for (const auto& f : kFields)
        if (key.str() == f.name) field = &f;
      if (!field) return InvalidArgument("invalid_setting", "config file " + *file + ": unknown setting " + std::string(key.str()));
      std::string value;
      if (auto v = node.value<std::string>()) value = *v;
      else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
      else if (auto i = node.value<std::int64_t>()) value = std::to_string(*i);
      else return InvalidArgument("invalid_setting", "setting " + std::string(key.str()) + " (config file): unsupported type");
      ARCA_RETURN_IF_ERROR(Apply(s, *field, value, "config file"));
    }
  }
  for (const auto& f : kFields) {
    std::string env = EnvName(f.name);
    if (const char* v = std::getenv(env.c_str()); v && *v) ARCA_RETURN_IF_ERROR(Apply(s, f, v, env));
  }
  for (const auto& [name, value] : flags) {
    const Field* field = nullptr;
    for (const auto& f : kFields)
      if (name == f.name) field = &f;
    if (!field) return InvalidArgument("invalid_setting", "unknown setting " + name);
    ARCA_RETURN_IF_ERROR(Apply(s, *field, value, "--" + name));
  }
  if (s.database_url.empty()) s.database_url = "sqlite://" + s.data_dir + "/arca.db";
  if (s.storage_url.empty()) s.storage_url = "file://" + s.data_dir + "/objects";
  return s;
}

}  // namespace arca::cli
