// Maps method + path pattern to a handler. Patterns use "{name}" for one
// segment and "{name*}" for the rest of the path. The router authenticates
// protected routes, records metrics and writes one log line per request.
#pragma once

#include <functional>

#include "http/http_types.hpp"
#include "http/metrics.hpp"

namespace arca::http {

using Handler = std::function<Response(Request&)>;
using Authenticator = std::function<Result<Caller>(std::string_view bearer_token)>;

struct Route {
  std::string method;
  std::string pattern;
  bool needs_auth = true;
  bool in_openapi = true;  // false only for the static UI
  Handler handler;
};

class Router {
 public:
  Router(Authenticator auth, Metrics& metrics) : auth_(std::move(auth)), metrics_(metrics) {}

  void Add(Route route) { routes_.push_back(std::move(route)); }
  // Never throws: a handler's exception becomes a 500 problem.
  Response Handle(Request& req);
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Authenticator auth_;
  Metrics& metrics_;
  std::vector<Route> routes_;
};

// True when `path` fits `pattern`; fills `params`.
bool MatchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params);

}  // namespace arca::http
