#include "adapters/magic/libmagic_sniffer.hpp"

#include <magic.h>

#include <stdexcept>

namespace arca::magic {

LibmagicSniffer::LibmagicSniffer() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) {
  if (!cookie_ || magic_load(cookie_, nullptr) != 0) {
    std::string err = cookie_ ? magic_error(cookie_) : "magic_open failed";
    if (cookie_) magic_close(cookie_);
    throw std::runtime_error("cannot load the libmagic database: " + err);
  }
}

LibmagicSniffer::~LibmagicSniffer() { magic_close(cookie_); }

std::string LibmagicSniffer::Sniff(std::string_view head) {
  if (head.empty()) return "application/x-empty";
  std::lock_guard lock(mu_);
  const char* t = magic_buffer(cookie_, head.data(), head.size());
  return t ? std::string(t) : "application/octet-stream";
}

}  // namespace arca::magic
