// AWS Signature Version 4 for Arca's own S3 client. Pure string work over a
// description of the request (no I/O, no clock), so every step can be checked
// against AWS's published vectors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/file_record.hpp"

namespace arca::s3 {

struct Credentials {
  std::string access_key, secret_key, session_token;
};

struct SignParams {
  std::string region, service = "s3";
  Micros now = 0;                   // signing time (microseconds since epoch, UTC); truncated to the second
  bool normalize_path = false;      // true only for non-S3 services (the suite's "normalize")
  bool sign_body = false;           // adds and signs x-amz-content-sha256 (always true for S3); header signing only
  bool omit_session_token = false;  // suite's post-sts-header-after: token added but not signed
};

// A request to sign. `path` is the DECODED path ("/bucket/my file.txt"); the signer URI-encodes each
// byte outside RFC 3986 unreserved except '/' (once: S3 does not double-encode). `query` holds DECODED
// key/value pairs in any order (duplicates allowed). `headers` are name/value pairs as they will be sent
// (any case, duplicates allowed; a folded value may contain line breaks). `payload_sha256` is the
// lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
struct Request {
  std::string method, path;
  std::vector<std::pair<std::string, std::string>> query, headers;
  std::string payload_sha256;
};

// Canonicalises exactly what `r` holds: it adds no header or query parameter of its own.
// Throws std::invalid_argument when payload_sha256 is empty.
std::string CanonicalRequest(const Request& r, const SignParams& p);
std::string StringToSign(const std::string& canonical_request, const SignParams& p);
// Lowercase hex.
std::string Signature(const Credentials& c, const std::string& string_to_sign, const SignParams& p);

// Header signing: returns the headers to ADD to the request, in this order: X-Amz-Date,
// X-Amz-Content-Sha256 (when sign_body), X-Amz-Security-Token (when a token is set), Authorization;
// signing every header of `r` plus those (the token excepted when omit_session_token).
// Throws std::invalid_argument if `r` already carries one of the headers it would add.
std::vector<std::pair<std::string, std::string>> SignHeaders(const Request& r, const Credentials& c,
                                                             const SignParams& p);

// Query signing (presigned URL): returns the full encoded query string to put after '?': the request's
// own query in its order, then X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders (and X-Amz-Security-Token), then X-Amz-Signature last. Only headers in
// `r.headers` are signed (normally just host); sign_body is ignored, the payload line is
// r.payload_sha256 ("UNSIGNED-PAYLOAD" for S3). Throws std::invalid_argument if `expires` is outside
// 1 s..7 days, `r.headers` is empty, or `r.query` already holds an X-Amz-* signing parameter.
std::string PresignQuery(const Request& r, const Credentials& c, const SignParams& p, std::chrono::seconds expires);
// The same, appended onto `out` (the link's scheme, host and path).
void AppendPresignQuery(std::string& out, const Request& r, const Credentials& c, const SignParams& p,
                        std::chrono::seconds expires);

// Encodes a path for the wire/canonical form: "/a b/ç" -> "/a%20b/%C3%A7"; "" -> "/".
std::string EncodePath(std::string_view decoded_path);
void AppendEncodedPath(std::string& out, std::string_view decoded_path);

}  // namespace arca::s3
