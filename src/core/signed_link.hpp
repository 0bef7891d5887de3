// Links Arca signs itself for the embedded file store: an HMAC over the
// object key, expiry, download name and content type. Nothing else is trusted.
#pragma once

#include <optional>
#include <string>

#include "core/file_record.hpp"

namespace arca {

struct BlobLink {
  std::string key;           // object key
  std::int64_t expires = 0;  // Unix seconds
  std::string filename;      // for Content-Disposition
  std::string content_type;
};

// "/blob/<key>?exp=…&name=…&type=…&sig=…" (relative; the caller adds the origin).
std::string SignBlobLink(const std::string& secret, const BlobLink& link);
// Checks the signature over path and query values. Expiry is the caller's check,
// so an expired link and a forged one can be told apart in logs.
std::optional<BlobLink> VerifyBlobLink(const std::string& secret, std::string_view key, std::string_view exp,
                                       std::string_view name, std::string_view type, std::string_view sig);

}  // namespace arca
