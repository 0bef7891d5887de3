#include "http/routes.hpp"

#include "http/handlers/handlers.hpp"

namespace arca::http {

void AddRoutes(Router& router, App& app, Metrics& metrics, const RouteOptions& opts) {
  namespace h = handlers;
  auto with_app = [&app](Response (*fn)(App&, Request&)) { return [&app, fn](Request& r) { return fn(app, r); }; };
  // The hot reads wait for the database on the event loop when the store
  // can (PostgreSQL); on a blocking store (SQLite) they run on the pool.
  auto async_read = [&app](void (*fn)(App&, Request&, Respond)) -> AsyncHandler {
    if (!app.meta.NonBlockingReads()) return nullptr;
    return [&app, fn](Request& r, Respond respond) { fn(app, r, std::move(respond)); };
  };
  router.Add({.method = "POST", .pattern = "/api/auth/login", .needs_auth = false, .handler = with_app(h::Login)});
  router.Add({.method = "GET", .pattern = "/api/me", .handler = with_app(h::Me)});
  router.Add({.method = "POST",
              .pattern = "/api/files",
              .handler = [&app, &metrics](Request& r) { return h::Upload(app, metrics, r); }});
  router.Add({.method = "GET",
              .pattern = "/api/files",
              .handler = with_app(h::ListFiles),
              .async_handler = async_read(h::ListFilesAsync)});
  router.Add({.method = "GET",
              .pattern = "/api/files/{id}",
              .handler = with_app(h::GetFile),
              .async_handler = async_read(h::GetFileAsync)});
  router.Add({.method = "PATCH", .pattern = "/api/files/{id}", .handler = with_app(h::PatchFile)});
  router.Add({.method = "DELETE", .pattern = "/api/files/{id}", .handler = with_app(h::DeleteFile)});
  router.Add({.method = "GET",
              .pattern = "/api/files/{id}/download",
              .handler = with_app(h::Download),
              .async_handler = async_read(h::DownloadAsync)});
  if (!opts.blob_link_secret.empty()) {
    std::string secret = opts.blob_link_secret;
    router.Add({.method = "GET",
                .pattern = "/blob/{key*}",
                .needs_auth = false,
                .handler = [&app, secret](Request& r) { return h::Blob(app, secret, r); }});
  }
  // No I/O in these: answered on the event loop. (/metrics is not one of
  // them: its queue-depth gauge asks the database.)
  router.Add({.method = "GET", .pattern = "/healthz", .needs_auth = false, .handler = h::Health, .non_blocking = true});
  router.Add({.method = "GET", .pattern = "/readyz", .needs_auth = false, .handler = with_app(h::Ready)});
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .needs_auth = false,
              .handler = [&metrics](Request& r) { return h::MetricsText(metrics, r); }});
  router.Add({.method = "GET",
              .pattern = "/api/openapi.json",
              .needs_auth = false,
              .handler = h::OpenApi,
              .non_blocking = true});
  // The UI is outside the API (and its OpenAPI document), needs no token,
  // and reads small files from disk, so it runs on the pool.
  if (opts.web_dir.empty()) {
    router.Add({.method = "GET",
                .pattern = "/",
                .needs_auth = false,
                .in_openapi = false,
                .handler = h::Index,
                .non_blocking = true});
  } else {
    std::string dir = opts.web_dir;
    router.Add({.method = "GET",
                .pattern = "/",
                .needs_auth = false,
                .in_openapi = false,
                .handler = [dir](Request& r) { return h::WebIndex(dir, r); }});
    router.Add({.method = "GET",
                .pattern = "/assets/{path*}",
                .needs_auth = false,
                .in_openapi = false,
                .handler = [dir](Request& r) { return h::WebAsset(dir, r); }});
  }
}

}  // namespace arca::http
