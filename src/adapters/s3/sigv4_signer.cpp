#include "adapters/s3/sigv4_signer.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// AWS rejects presigned URLs that live longer than a week, so refuse to mint one.
constexpr std::chrono::seconds kMaxExpires{7 * 24 * 3600};

constexpr std::string_view kHdrAuthorization = "authorization";
constexpr std::string_view kHdrDate = "x-amz-date";
constexpr std::string_view kHdrContentSha256 = "x-amz-content-sha256";
constexpr std::string_view kHdrSecurityToken = "x-amz-security-token";

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) { return a.size() == b.size() && Lower(a) == Lower(b); }

struct Stamp {
  std::string date_time;  // 20150830T123600Z
  std::string date;       // 20150830
};

Stamp MakeStamp(Micros now) {
  // Reuse the service's one UTC formatter rather than a second calendar implementation.
  const std::string iso = FormatRfc3339(now);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  const bool shaped = iso.size() == 27 && std::all_of(iso.begin(), iso.begin() + 4, [](char ch) {
                        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
                      });
  if (!shaped) throw std::invalid_argument("sigv4: signing time must fall in years 0000-9999");
  Stamp s;
  s.date = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
  s.date_time = s.date + "T" + iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2) + "Z";
  return s;
}

std::string Scope(const Stamp& st, const SignParams& p) {
  return st.date + "/" + p.region + "/" + p.service + "/aws4_request";
}

// Mirrors aws-c-auth (where the suite comes from): empty and "." segments vanish, ".." pops, and a
// trailing slash survives only if the raw path had one ("/a/b/.." -> "/a").
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!seg.empty() && seg != ".") {
      kept.push_back(seg);
    }
    start = slash + 1;
  }
  const bool trailing = !path.empty() && path.back() == '/';
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    out += kept[i];
    if (i + 1 < kept.size() || trailing) out += '/';
  }
  return out;
}

// Trims and turns every run of whitespace, line breaks of a folded value included, into one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char ch : v) {
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += ch;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;  // "name:value\n" per distinct name
  std::string names;  // "name1;name2", the signed-headers list
};

CanonicalHeaders Canonicalize(const Pairs& headers) {
  Pairs lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) lowered.emplace_back(Lower(name), CanonicalHeaderValue(value));
  // Stable, because repeated headers must keep the order they are sent in.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size();) {
    const std::string& name = lowered[i].first;
    std::string joined = lowered[i].second;
    size_t j = i + 1;
    for (; j < lowered.size() && lowered[j].first == name; ++j) joined += "," + lowered[j].second;
    out.block += name + ":" + joined + "\n";
    if (!out.names.empty()) out.names += ';';
    out.names += name;
    i = j;
  }
  return out;
}

Pairs EncodePairs(const Pairs& query) {
  Pairs encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(PercentEncode(k), PercentEncode(v));
  return encoded;
}

// Joins encoded pairs as k=v&k=v.
std::string JoinPairs(const std::vector<const std::pair<std::string, std::string>*>& pairs) {
  size_t len = 0;
  for (const auto* kv : pairs) len += kv->first.size() + kv->second.size() + 2;
  std::string out;
  out.reserve(len);
  for (const auto* kv : pairs) {
    if (!out.empty()) out += '&';
    out += kv->first;
    out += '=';
    out += kv->second;
  }
  return out;
}

// The order is over the encoded bytes, key first, then value.
std::string CanonicalQueryOfEncoded(const Pairs& encoded, size_t count) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(count);
  for (size_t i = 0; i < count; ++i) sorted.push_back(&encoded[i]);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  return JoinPairs(sorted);
}

std::string CanonicalQuery(const Pairs& query) {
  const Pairs encoded = EncodePairs(query);
  return CanonicalQueryOfEncoded(encoded, encoded.size());
}

bool HasHeader(const Pairs& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return IEquals(h.first, lower_name); });
}

std::string SignCanonical(const Request& r, const Credentials& c, const SignParams& p) {
  return Signature(c, StringToSign(CanonicalRequest(r, p), p), p);
}

}  // namespace

std::string EncodePath(std::string_view decoded_path) {
  if (decoded_path.empty()) return "/";
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = decoded_path.find('/', start);
    out += PercentEncode(decoded_path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

namespace {
// The canonical request from its parts, the query already canonical.
std::string CanonicalFrom(const Request& r, const SignParams& p, const std::string& canonical_query,
                          const CanonicalHeaders& headers) {
  // An empty line here would still yield a signature, just one no server will ever reproduce.
  if (r.payload_sha256.empty()) throw std::invalid_argument("sigv4: payload_sha256 is required");
  const std::string path = EncodePath(p.normalize_path ? NormalizePath(r.path) : r.path);
  return r.method + "\n" + path + "\n" + canonical_query + "\n" + headers.block + "\n" + headers.names + "\n" +
         r.payload_sha256;
}
}  // namespace

std::string CanonicalRequest(const Request& r, const SignParams& p) {
  return CanonicalFrom(r, p, CanonicalQuery(r.query), Canonicalize(r.headers));
}

std::string StringToSign(const std::string& canonical_request, const SignParams& p) {
  const Stamp st = MakeStamp(p.now);
  return std::string(kAlgorithm) + "\n" + st.date_time + "\n" + Scope(st, p) + "\n" + Sha256Hex(canonical_request);
}

std::string Signature(const Credentials& c, const std::string& string_to_sign, const SignParams& p) {
  const Stamp st = MakeStamp(p.now);
  // The signing key depends only on the secret, the day, the region and the
  // service: derived once a day instead of four HMACs per signature (the
  // presigned-link path signs one URL per request).
  struct Derived {
    std::string secret, date, region, service, key;
  };
  thread_local Derived last;
  if (last.key.empty() || last.secret != c.secret_key || last.date != st.date || last.region != p.region ||
      last.service != p.service) {
    std::string key = HmacSha256("AWS4" + c.secret_key, st.date);
    key = HmacSha256(key, p.region);
    key = HmacSha256(key, p.service);
    last = {c.secret_key, st.date, p.region, p.service, HmacSha256(key, "aws4_request")};
  }
  return HexEncode(HmacSha256(last.key, string_to_sign));
}

std::vector<std::pair<std::string, std::string>> SignHeaders(const Request& r, const Credentials& c,
                                                             const SignParams& p) {
  const bool with_token = !c.session_token.empty();
  // A second copy would be joined into the signed value by the server and never match.
  if (HasHeader(r.headers, kHdrAuthorization) || HasHeader(r.headers, kHdrDate) ||
      (p.sign_body && HasHeader(r.headers, kHdrContentSha256)) ||
      (with_token && HasHeader(r.headers, kHdrSecurityToken)))
    throw std::invalid_argument("sigv4: request already carries a header the signer adds");

  const Stamp st = MakeStamp(p.now);
  Pairs added;
  added.emplace_back("X-Amz-Date", st.date_time);
  if (p.sign_body) added.emplace_back("X-Amz-Content-Sha256", r.payload_sha256);
  if (with_token) added.emplace_back("X-Amz-Security-Token", c.session_token);

  Request signed_req = r;
  for (const auto& h : added) {
    if (p.omit_session_token && IEquals(h.first, kHdrSecurityToken)) continue;
    signed_req.headers.push_back(h);
  }
  const std::string signature = SignCanonical(signed_req, c, p);
  added.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + c.access_key + "/" +
                                          Scope(st, p) + ", SignedHeaders=" +
                                          Canonicalize(signed_req.headers).names + ", Signature=" + signature);
  return added;
}

std::string PresignQuery(const Request& r, const Credentials& c, const SignParams& p, std::chrono::seconds expires) {
  if (expires < std::chrono::seconds(1) || expires > kMaxExpires)
    throw std::invalid_argument("sigv4: presigned expiry must be 1 s to 7 days");
  // With nothing signed the URL would be valid for any host it is replayed against.
  if (r.headers.empty()) throw std::invalid_argument("sigv4: presigning needs at least the host header");
  static constexpr std::string_view kReserved[] = {"X-Amz-Algorithm",     "X-Amz-Credential",
                                                   "X-Amz-Date",          "X-Amz-Expires",
                                                   "X-Amz-SignedHeaders", "X-Amz-Security-Token",
                                                   "X-Amz-Signature"};
  for (const auto& [k, v] : r.query)
    for (std::string_view name : kReserved)
      if (IEquals(k, name)) throw std::invalid_argument("sigv4: query already holds " + std::string(name));

  const Stamp st = MakeStamp(p.now);
  const CanonicalHeaders headers = Canonicalize(r.headers);
  Pairs auth = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", c.access_key + "/" + Scope(st, p)},
      {"X-Amz-Date", st.date_time},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", headers.names},
  };
  if (!c.session_token.empty()) auth.emplace_back("X-Amz-Security-Token", c.session_token);

  // Every pair is encoded once: the canonical query sorts them, the URL
  // keeps the request's order, then the signing parameters (a presigned
  // link is made on every download, so this is a hot path).
  Pairs encoded = EncodePairs(r.query);
  encoded.reserve(encoded.size() + auth.size());
  for (const auto& [k, v] : auth) encoded.emplace_back(PercentEncode(k), PercentEncode(v));
  // With omit_session_token the token (always last) is sent but not signed.
  const size_t signed_count = encoded.size() - (p.omit_session_token && !c.session_token.empty() ? 1 : 0);
  const std::string canonical = CanonicalFrom(r, p, CanonicalQueryOfEncoded(encoded, signed_count), headers);
  const std::string signature = Signature(c, StringToSign(canonical, p), p);

  std::vector<const std::pair<std::string, std::string>*> in_order;
  in_order.reserve(encoded.size());
  for (const auto& kv : encoded) in_order.push_back(&kv);
  return JoinPairs(in_order) + "&X-Amz-Signature=" + signature;
}

}  // namespace arca::s3
