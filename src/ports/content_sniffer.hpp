// ContentSniffer: the MIME type of a file from its first bytes. Adapter: libmagic.
#pragma once

#include <string>
#include <string_view>

namespace arca {

class ContentSniffer {
 public:
  virtual ~ContentSniffer() = default;
  // Thread-safe. Returns "application/octet-stream" when nothing matches.
  virtual std::string Sniff(std::string_view head) = 0;
};

}  // namespace arca
