#include <boost/json.hpp>

#include "http/handlers/handlers.hpp"
#include "http/routes.hpp"

namespace arca::http::handlers {
namespace json = boost::json;

Response Health(Request&) { return Json(200, R"({"status":"ok"})"); }

Response Ready(App& app, Request&) {
  json::object checks;
  std::string failing;
  auto check = [&](const char* name, Status st) {
    checks[name] = st.ok() ? "ok" : st.message();
    if (!st.ok()) failing += failing.empty() ? name : std::string(", ") + name;
  };
  check("database", app.meta.Ping());
  check("storage", app.objects.Ping());
  check("broker", app.bus.Ping());
  if (failing.empty()) return Json(200, json::serialize(json::object{{"status", "ready"}, {"checks", checks}}));
  Response r = Problem(503, "not_ready", "not answering: " + failing);
  // Keep the problem document and add which check failed.
  json::value doc = json::parse(r.body);
  doc.as_object()["checks"] = checks;
  r.body = json::serialize(doc);
  return r;
}

Response MetricsText(Metrics& metrics, Request&) {
  Response r;
  r.body = metrics.Render();
  r.Header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return r;
}

Response OpenApi(Request&) { return Json(200, std::string(OpenApiDocument())); }

Response Index(Request&) {
  Response r;
  r.body = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Arca</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Arca</h1>
<p>The Arca API is running. The web interface is not part of this build yet;
use the HTTP API, described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<p lang="pt-BR">A API do Arca está no ar. A interface web ainda não faz parte desta versão;
use a API HTTP, descrita em <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
)";
  r.Header("Content-Type", "text/html; charset=utf-8");
  r.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
  return r;
}

}  // namespace arca::http::handlers
