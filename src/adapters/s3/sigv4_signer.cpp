#include "adapters/s3/sigv4_signer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
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
  char date_time_buf[16];  // 20150830T123600Z
  std::string_view date_time() const { return {date_time_buf, sizeof date_time_buf}; }
  std::string_view date() const { return {date_time_buf, 8}; }  // 20150830
};

Stamp MakeStamp(Micros now) {
  // Formatted once a second per thread: a presigned link is made on every
  // download, and links made in the same second share it.
  thread_local Micros cached_second = -1;
  thread_local Stamp cached;
  const Micros second = now >= 0 ? now / 1000000 : -1;
  if (second >= 0 && second == cached_second) return cached;
  // Reuse the service's one UTC formatter rather than a second calendar implementation.
  const std::string iso = FormatRfc3339(now);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  const bool shaped = iso.size() == 27 && std::all_of(iso.begin(), iso.begin() + 4, [](char ch) {
                        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
                      });
  if (!shaped) throw std::invalid_argument("sigv4: signing time must fall in years 0000-9999");
  Stamp s;
  char* w = s.date_time_buf;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) *w++ = iso[i];
  *w++ = 'T';
  for (int i : {11, 12, 14, 15, 17, 18}) *w++ = iso[i];
  *w = 'Z';
  if (second >= 0) {
    cached_second = second;
    cached = s;
  }
  return s;
}

// The credential scope's parts, "20150830/us-east-1/s3/aws4_request" once joined.
std::array<std::string_view, 7> ScopeParts(const Stamp& st, const SignParams& p) {
  return {st.date(), "/", p.region, "/", p.service, "/", "aws4_request"};
}

void AppendScope(std::string& out, const Stamp& st, const SignParams& p) {
  for (std::string_view part : ScopeParts(st, p)) out += part;
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
  // (A presigned link signs only "host": no sort, which would allocate.)
  if (lowered.size() > 1)
    std::stable_sort(lowered.begin(), lowered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size();) {
    const std::string& name = lowered[i].first;
    out.block += name;
    out.block += ':';
    out.block += lowered[i].second;
    size_t j = i + 1;
    for (; j < lowered.size() && lowered[j].first == name; ++j) {
      out.block += ',';
      out.block += lowered[j].second;
    }
    out.block += '\n';
    if (!out.names.empty()) out.names += ';';
    out.names += name;
    i = j;
  }
  return out;
}

// Percent-encoded query pairs, as ranges of one buffer: a presigned link
// encodes its seven or eight pairs with two allocations, not sixteen.
class EncodedQuery {
 public:
  explicit EncodedQuery(size_t pairs) { pairs_.reserve(pairs); }
  // The value is the concatenation of `value_parts`, encoded.
  void Add(std::string_view key, std::initializer_list<std::string_view> value_parts) {
    Range k{bytes_.size(), 0};
    AppendPercentEncoded(bytes_, key);
    k.size = bytes_.size() - k.start;
    Range v{bytes_.size(), 0};
    for (std::string_view part : value_parts) AppendPercentEncoded(bytes_, part);
    v.size = bytes_.size() - v.start;
    pairs_.push_back({k, v});
  }
  size_t size() const { return pairs_.size(); }
  std::string_view Key(size_t i) const { return View(pairs_[i].first); }
  std::string_view Value(size_t i) const { return View(pairs_[i].second); }
  // k=v&k=v over pairs `order`.
  void AppendJoined(std::string& out, const std::vector<size_t>& order) const {
    for (size_t n = 0; n < order.size(); ++n) AppendPair(out, order[n], n == 0);
  }
  // k=v&k=v in the order the pairs were added (the URL's order).
  void AppendJoined(std::string& out) const {
    for (size_t i = 0; i < size(); ++i) AppendPair(out, i, i == 0);
  }
  // The first `count` pairs in canonical order: by encoded key, then value.
  std::vector<size_t> Sorted(size_t count) const {
    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [this](size_t a, size_t b) {
      return std::pair(Key(a), Value(a)) < std::pair(Key(b), Value(b));
    });
    return order;
  }

 private:
  void AppendPair(std::string& out, size_t i, bool first) const {
    if (!first) out += '&';
    out += Key(i);
    out += '=';
    out += Value(i);
  }
  struct Range {
    size_t start, size;
  };
  std::string_view View(Range r) const { return std::string_view(bytes_).substr(r.start, r.size); }
  std::string bytes_;
  std::vector<std::pair<Range, Range>> pairs_;
};

EncodedQuery EncodeQuery(const Pairs& query, size_t extra) {
  EncodedQuery q(query.size() + extra);
  for (const auto& [k, v] : query) q.Add(k, {v});
  return q;
}

bool HasHeader(const Pairs& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return IEquals(h.first, lower_name); });
}

}  // namespace

void AppendEncodedPath(std::string& out, std::string_view decoded_path) {
  if (decoded_path.empty()) {
    out += '/';
    return;
  }
  size_t start = 0;
  while (true) {
    size_t slash = decoded_path.find('/', start);
    AppendPercentEncoded(out, decoded_path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
}

std::string EncodePath(std::string_view decoded_path) {
  std::string out;
  AppendEncodedPath(out, decoded_path);
  return out;
}

namespace {
// The canonical request onto `out`; the query is the first `signed_count`
// pairs of `query`, in canonical order.
void AppendCanonicalRequest(std::string& out, const Request& r, const SignParams& p, const EncodedQuery& query,
                            size_t signed_count, const CanonicalHeaders& headers) {
  // An empty line here would still yield a signature, just one no server will ever reproduce.
  if (r.payload_sha256.empty()) throw std::invalid_argument("sigv4: payload_sha256 is required");
  out += r.method;
  out += '\n';
  AppendEncodedPath(out, p.normalize_path ? NormalizePath(r.path) : r.path);
  out += '\n';
  query.AppendJoined(out, query.Sorted(signed_count));
  out += '\n';
  out += headers.block;
  out += '\n';
  out += headers.names;
  out += '\n';
  out += r.payload_sha256;
}

void AppendStringToSign(std::string& out, std::string_view canonical_request, const Stamp& st, const SignParams& p) {
  unsigned char hash[32];
  Sha256Raw(canonical_request, hash);
  out += kAlgorithm;
  out += '\n';
  out += st.date_time();
  out += '\n';
  AppendScope(out, st, p);
  out += '\n';
  AppendHex(out, std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

void AppendSignature(std::string& out, const Credentials& c, std::string_view string_to_sign, const Stamp& st,
                     const SignParams& p) {
  // The signing key depends only on the secret, the day, the region and the
  // service: derived once a day instead of four HMACs per signature (the
  // presigned-link path signs one URL per request).
  struct Derived {
    std::string secret, date, region, service, key;
  };
  thread_local Derived last;
  if (last.key.empty() || last.secret != c.secret_key || last.date != st.date() || last.region != p.region ||
      last.service != p.service) {
    std::string key = HmacSha256("AWS4" + c.secret_key, st.date());
    key = HmacSha256(key, p.region);
    key = HmacSha256(key, p.service);
    last = {c.secret_key, std::string(st.date()), p.region, p.service, HmacSha256(key, "aws4_request")};
  }
  unsigned char mac[32];
  HmacSha256(last.key, string_to_sign, mac);
  AppendHex(out, std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string SignCanonical(const Request& r, const Credentials& c, const SignParams& p) {
  return Signature(c, StringToSign(CanonicalRequest(r, p), p), p);
}

}  // namespace

std::string CanonicalRequest(const Request& r, const SignParams& p) {
  const EncodedQuery query = EncodeQuery(r.query, 0);
  std::string out;
  AppendCanonicalRequest(out, r, p, query, query.size(), Canonicalize(r.headers));
  return out;
}

std::string StringToSign(const std::string& canonical_request, const SignParams& p) {
  std::string out;
  AppendStringToSign(out, canonical_request, MakeStamp(p.now), p);
  return out;
}

std::string Signature(const Credentials& c, const std::string& string_to_sign, const SignParams& p) {
  std::string out;
  AppendSignature(out, c, string_to_sign, MakeStamp(p.now), p);
  return out;
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
  added.emplace_back("X-Amz-Date", st.date_time());
  if (p.sign_body) added.emplace_back("X-Amz-Content-Sha256", r.payload_sha256);
  if (with_token) added.emplace_back("X-Amz-Security-Token", c.session_token);

  Request signed_req = r;
  for (const auto& h : added) {
    if (p.omit_session_token && IEquals(h.first, kHdrSecurityToken)) continue;
    signed_req.headers.push_back(h);
  }
  const std::string signature = SignCanonical(signed_req, c, p);
  std::string auth = std::string(kAlgorithm) + " Credential=" + c.access_key + "/";
  AppendScope(auth, st, p);
  auth += ", SignedHeaders=" + Canonicalize(signed_req.headers).names + ", Signature=" + signature;
  added.emplace_back("Authorization", std::move(auth));
  return added;
}

void AppendPresignQuery(std::string& out, const Request& r, const Credentials& c, const SignParams& p,
                        std::chrono::seconds expires) {
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
  char expiry[24];
  const auto expiry_end = std::to_chars(expiry, expiry + sizeof expiry, expires.count()).ptr;

  // Every pair is encoded once: the canonical query sorts them, the URL
  // keeps the request's order, then the signing parameters (a presigned
  // link is made on every download, so this is a hot path).
  EncodedQuery query = EncodeQuery(r.query, 6);
  query.Add("X-Amz-Algorithm", {kAlgorithm});
  const auto scope = ScopeParts(st, p);
  query.Add("X-Amz-Credential",
            {c.access_key, "/", scope[0], scope[1], scope[2], scope[3], scope[4], scope[5], scope[6]});
  query.Add("X-Amz-Date", {st.date_time()});
  query.Add("X-Amz-Expires", {std::string_view(expiry, static_cast<size_t>(expiry_end - expiry))});
  query.Add("X-Amz-SignedHeaders", {headers.names});
  if (!c.session_token.empty()) query.Add("X-Amz-Security-Token", {c.session_token});
  // With omit_session_token the token (always last) is sent but not signed.
  const size_t signed_count = query.size() - (p.omit_session_token && !c.session_token.empty() ? 1 : 0);

  // Scratch strings kept by the thread, so a link costs no allocation for them.
  thread_local std::string canonical, to_sign;
  canonical.clear();
  to_sign.clear();
  AppendCanonicalRequest(canonical, r, p, query, signed_count, headers);
  AppendStringToSign(to_sign, canonical, st, p);
  query.AppendJoined(out);
  out += "&X-Amz-Signature=";
  AppendSignature(out, c, to_sign, st, p);
}

std::string PresignQuery(const Request& r, const Credentials& c, const SignParams& p, std::chrono::seconds expires) {
  std::string out;
  AppendPresignQuery(out, r, c, p, expires);
  return out;
}

}  // namespace arca::s3
