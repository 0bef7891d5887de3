// Every route of the API, wired to its handler. The OpenAPI document must
// list exactly these (tests/unit/openapi_test.cpp checks it).
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace arca::http {

struct RouteOptions {
  std::string blob_link_secret;  // non-empty: serve /blob/ links signed by the localfs store
  std::string web_dir;           // non-empty: serve the web UI from here (else the placeholder page)
};

// Call it once the metadata store is ready for event-loop reads (if it is
// going to be): the hot reads get async handlers only when
// app.meta.NonBlockingReads() is true at this point.
void AddRoutes(Router& router, App& app, Metrics& metrics, const RouteOptions& opts);
std::string_view OpenApiDocument();

}  // namespace arca::http
