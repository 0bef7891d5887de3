// Byte encodings used across the service: hex, base64url (no padding), and
// percent-encoding (RFC 3986) for names travelling in headers and links.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace arca {

std::string HexEncode(std::string_view bytes);
// The Append forms write onto `out`, for callers building one string from
// many parts (a presigned link) without a temporary per part.
void AppendHex(std::string& out, std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);
// RFC 4648 §4 ("+/", padded), as S3's checksum headers want it.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
// Encodes every byte outside RFC 3986's unreserved set.
std::string PercentEncode(std::string_view bytes);
void AppendPercentEncoded(std::string& out, std::string_view bytes);
// Decodes %XX; rejects malformed escapes. '+' stays '+'.
std::optional<std::string> PercentDecode(std::string_view text);
bool IsValidUtf8(std::string_view s);
// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string RandomBytes(size_t n);

// Appends a JSON string literal, quotes included: '"', '\\' and control
// characters escaped, everything else (UTF-8 included) as is.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace arca
