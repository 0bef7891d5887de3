#include "http/routes.hpp"

#include "http/handlers/handlers.hpp"

namespace arca::http {

void AddRoutes(Router& router, App& app, Metrics& metrics, const RouteOptions& opts) {
  namespace h = handlers;
  auto with_app = [&app](Response (*fn)(App&, Request&)) { return [&app, fn](Request& r) { return fn(app, r); }; };
  router.Add({"POST", "/api/auth/login", false, true, with_app(h::Login)});
  router.Add({"GET", "/api/me", true, true, with_app(h::Me)});
  router.Add({"POST", "/api/files", true, true, [&app, &metrics](Request& r) { return h::Upload(app, metrics, r); }});
  router.Add({"GET", "/api/files", true, true, with_app(h::ListFiles)});
  router.Add({"GET", "/api/files/{id}", true, true, with_app(h::GetFile)});
  router.Add({"PATCH", "/api/files/{id}", true, true, with_app(h::PatchFile)});
  router.Add({"DELETE", "/api/files/{id}", true, true, with_app(h::DeleteFile)});
  router.Add({"GET", "/api/files/{id}/download", true, true, with_app(h::Download)});
  if (!opts.blob_link_secret.empty()) {
    std::string secret = opts.blob_link_secret;
    router.Add({"GET", "/blob/{key*}", false, true, [&app, secret](Request& r) { return h::Blob(app, secret, r); }});
  }
  router.Add({"GET", "/healthz", false, true, h::Health});
  router.Add({"GET", "/readyz", false, true, with_app(h::Ready)});
  router.Add({"GET", "/metrics", false, true, [&metrics](Request& r) { return h::MetricsText(metrics, r); }});
  router.Add({"GET", "/api/openapi.json", false, true, h::OpenApi});
  router.Add({"GET", "/", false, false, h::Index});
}

}  // namespace arca::http
