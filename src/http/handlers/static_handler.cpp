// The web UI: the built single-page app (web/dist) served from disk.
// Only two kinds of path exist: "/" (index.html) and "/assets/…" (Vite's
// content-hashed files). Anything else is the router's 404, so the UI never
// shadows an API route and an unknown /api/ path stays a problem document.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/handlers/handlers.hpp"

namespace arca::http::handlers {
namespace fs = std::filesystem;

namespace {

// The UI talks only to its own origin. Downloads leave by navigation to the
// presigned URL (another origin with S3), which connect-src does not govern.
constexpr const char* kUiCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

std::optional<std::string> ReadWholeFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

void AddUiHeaders(Response& r) {
  r.Header("Content-Security-Policy", kUiCsp);
  r.Header("X-Content-Type-Options", "nosniff");
  r.Header("Referrer-Policy", "no-referrer");
}

}  // namespace

std::optional<std::string> SafeRelativePath(std::string_view rel) {
  if (rel.empty() || rel.size() > 1024) return std::nullopt;
  std::string out;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    std::string_view seg = rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    // No empty, dot or hidden segments: "..", "." and ".git" all start with a dot.
    if (seg.empty() || seg.front() == '.') return std::nullopt;
    for (char c : seg)
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    if (!out.empty()) out.push_back('/');
    out.append(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string_view ContentTypeFor(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes)
    if (path.ends_with(ext)) return type;
  return "application/octet-stream";
}

std::optional<std::string> FindWebDir(const std::string& configured, const std::string& exe_path) {
  auto has_index = [](const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "index.html", ec);
  };
  if (!configured.empty()) {
    if (!has_index(configured)) return std::nullopt;
    std::error_code ec;
    fs::path canon = fs::canonical(configured, ec);
    return ec ? std::nullopt : std::optional<std::string>(canon.string());
  }
  // build/arca → <repo>/web/dist, and an install laid out as bin/arca + web/dist.
  fs::path candidate = fs::path(exe_path).parent_path() / ".." / "web" / "dist";
  if (!has_index(candidate)) return std::string();
  std::error_code ec;
  fs::path canon = fs::canonical(candidate, ec);
  return ec ? std::string() : canon.string();
}

Response WebIndex(const std::string& web_dir, Request&) {
  auto body = ReadWholeFile(fs::path(web_dir) / "index.html");
  if (!body) return Problem(503, "ui_unavailable", "the web UI's index.html cannot be read");
  Response r;
  r.body = std::move(*body);
  r.Header("Content-Type", "text/html; charset=utf-8");
  // A new build must reach the browser at once; its assets are hashed.
  r.Header("Cache-Control", "no-cache");
  AddUiHeaders(r);
  return r;
}

Response WebAsset(const std::string& web_dir, Request& req) {
  // The same answer as for a route that does not exist: nothing is given away.
  auto not_found = [&req] { return Problem(404, "route_not_found", "no such route: " + req.path); };
  auto rel = SafeRelativePath(req.path_params.at("path"));
  if (!rel) return not_found();
  const fs::path root(web_dir);
  // Segments are clean; this also refuses a symlink that leads out of the UI.
  std::error_code ec;
  fs::path canon = fs::canonical(root / "assets" / *rel, ec);
  if (ec || !fs::is_regular_file(canon, ec)) return not_found();
  auto [end, _] = std::mismatch(root.begin(), root.end(), canon.begin(), canon.end());
  if (end != root.end()) return not_found();
  auto body = ReadWholeFile(canon);
  if (!body) return not_found();
  Response r;
  r.body = std::move(*body);
  r.Header("Content-Type", std::string(ContentTypeFor(*rel)));
  // Vite puts a content hash in every asset name: a changed file has a new name.
  r.Header("Cache-Control", "public, max-age=31536000, immutable");
  AddUiHeaders(r);
  return r;
}

}  // namespace arca::http::handlers
