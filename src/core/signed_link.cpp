#include "core/signed_link.hpp"

#include <charconv>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace arca {
namespace {
std::string Mac(const std::string& secret, std::string_view key, std::string_view exp, std::string_view name,
                std::string_view type) {
  // Length-prefixed fields: no value can shift bytes into its neighbour.
  std::string msg = "arca-blob-v1";
  for (std::string_view f : {key, exp, name, type}) {
    msg += "\n" + std::to_string(f.size()) + ":";
    msg += f;
  }
  return Base64UrlEncode(HmacSha256(secret, msg));
}
}  // namespace

std::string SignBlobLink(const std::string& secret, const BlobLink& link) {
  std::string exp = std::to_string(link.expires);
  std::string path = "/blob/";
  for (char c : link.key) path += (c == '/') ? std::string("/") : PercentEncode(std::string(1, c));
  return path + "?exp=" + exp + "&name=" + PercentEncode(link.filename) + "&type=" + PercentEncode(link.content_type) +
         "&sig=" + Mac(secret, link.key, exp, link.filename, link.content_type);
}

std::optional<BlobLink> VerifyBlobLink(const std::string& secret, std::string_view key, std::string_view exp,
                                       std::string_view name, std::string_view type, std::string_view sig) {
  if (!ConstantTimeEquals(Mac(secret, key, exp, name, type), sig)) return std::nullopt;
  BlobLink link;
  auto [p, ec] = std::from_chars(exp.data(), exp.data() + exp.size(), link.expires);
  if (ec != std::errc() || p != exp.data() + exp.size()) return std::nullopt;
  link.key = key;
  link.filename = name;
  link.content_type = type;
  return link;
}

}  // namespace arca
