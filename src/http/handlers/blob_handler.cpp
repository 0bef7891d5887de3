// GET /blob/{key}: serves the embedded store's objects to holders of a link
// signed by LocalFsObjectStore::PresignGet. No token: the signature is the
// permission, checked against key, expiry, name and type together.
#include <charconv>

#include "core/names.hpp"
#include "core/signed_link.hpp"
#include "core/time.hpp"
#include "http/handlers/handlers.hpp"

namespace arca::http::handlers {
namespace {

std::string QueryValue(const Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

std::optional<std::int64_t> Num(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

enum class RangeKind { kWhole, kPartial, kUnsatisfiable };

// One "bytes=" range (RFC 9110 §14.1.2); anything else gets the whole object.
RangeKind ParseRange(const std::string& header, std::int64_t size, ByteRange& out) {
  if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string::npos) return RangeKind::kWhole;
  std::string_view spec = std::string_view(header).substr(6);
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kWhole;
  auto first = Num(spec.substr(0, dash));
  auto last = Num(spec.substr(dash + 1));
  if (!first && !last) return RangeKind::kWhole;
  if (!first) {  // suffix: the last N bytes
    if (*last <= 0) return RangeKind::kUnsatisfiable;
    std::int64_t n = std::min(*last, size);
    out = {size - n, n};
    return size == 0 ? RangeKind::kUnsatisfiable : RangeKind::kPartial;
  }
  if (*first >= size) return RangeKind::kUnsatisfiable;
  std::int64_t end = last ? std::min(*last, size - 1) : size - 1;
  if (end < *first) return RangeKind::kWhole;
  out = {*first, end - *first + 1};
  return RangeKind::kPartial;
}

}  // namespace

Response Blob(App& app, const std::string& secret, Request& req) {
  const std::string key = req.path_params.at("key");
  auto link = VerifyBlobLink(secret, key, QueryValue(req, "exp"), QueryValue(req, "name"), QueryValue(req, "type"),
                             QueryValue(req, "sig"));
  if (!link) return Problem(403, "invalid_link", "this download link is not valid");
  if (link->expires < NowMicros() / 1000000) return Problem(403, "link_expired", "this download link has expired");

  auto info = app.objects.Head(key);
  if (!info.ok()) return Problem(info.status().kind() == ErrorKind::kNotFound
                                     ? Status(ErrorKind::kNotFound, "object_not_found", "the file is gone")
                                     : info.status());
  const std::int64_t size = info->size;
  ByteRange range{0, size};
  RangeKind kind = ParseRange(req.Header("Range"), size, range);
  if (kind == RangeKind::kUnsatisfiable) {
    Response r = Problem(416, "range_not_satisfiable", "the range is outside the file");
    r.Header("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  auto reader = app.objects.Get(key, range);
  if (!reader.ok()) return Problem(reader.status());

  Response r;
  r.status = kind == RangeKind::kPartial ? 206 : 200;
  r.stream = std::move(reader).value();
  r.stream_length = range.length;
  r.Header("Content-Type", link->content_type.empty() ? "application/octet-stream" : link->content_type);
  r.Header("Content-Disposition", ContentDispositionAttachment(link->filename));
  r.Header("Accept-Ranges", "bytes");
  r.Header("X-Content-Type-Options", "nosniff");
  r.Header("Cache-Control", "private, max-age=0");
  if (kind == RangeKind::kPartial)
    r.Header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                  std::to_string(range.first + range.length - 1) + "/" + std::to_string(size));
  return r;
}

}  // namespace arca::http::handlers
