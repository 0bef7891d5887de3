// The ports and settings every use case works with. Built once by cli/ from
// the configuration; use cases never construct adapters themselves.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/events.hpp"
#include "core/object_keys.hpp"
#include "ports/clock.hpp"
#include "ports/content_sniffer.hpp"
#include "ports/event_bus.hpp"
#include "ports/metadata_store.hpp"
#include "ports/object_store.hpp"
#include "ports/token_service.hpp"
#include "app/user_cache.hpp"

namespace arca {

enum class WriteMode { kAsync, kSync };

struct AppSettings {
  WriteMode write_mode = WriteMode::kAsync;
  KeyLayout key_layout = KeyLayout::kOpaque;
  std::chrono::seconds presign_ttl{300};
  std::uint64_t max_upload = 5ULL << 30;
  std::chrono::seconds login_ttl{3600};
  Topics topics;
  std::chrono::seconds reconcile_interval{3600};  // the reconcile worker role's period; 0: off
  std::chrono::seconds reconcile_grace{3600};
};

struct App {
  MetadataStore& meta;
  ObjectStore& objects;
  EventBus& bus;
  TokenService& tokens;
  PasswordHasher& passwords;
  ContentSniffer& sniffer;
  Clock& clock;
  AppSettings settings;
  UserCache* users = nullptr;  // optional; when set, Authenticate reads users through it
};

}  // namespace arca
