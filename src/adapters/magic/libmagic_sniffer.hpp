// ContentSniffer on libmagic. One handle, guarded by a mutex: magic_t is not thread-safe.
#pragma once

#include <mutex>

#include "ports/content_sniffer.hpp"

struct magic_set;

namespace arca::magic {

class LibmagicSniffer : public ContentSniffer {
 public:
  LibmagicSniffer();  // throws if the magic database cannot be loaded
  ~LibmagicSniffer() override;
  std::string Sniff(std::string_view head) override;

 private:
  std::mutex mu_;
  magic_set* cookie_;  // guarded by mu_
};

}  // namespace arca::magic
