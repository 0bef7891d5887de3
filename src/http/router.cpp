#include "http/router.hpp"

#include <strings.h>

#include <chrono>

#include "app/log.hpp"

namespace arca::http {

bool MatchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
  params.clear();
  while (!pattern.empty()) {
    if (pattern.front() == '{') {
      size_t close = pattern.find('}');
      std::string_view name = pattern.substr(1, close - 1);
      pattern.remove_prefix(close + 1);
      if (name.ends_with("*")) {
        if (path.empty()) return false;
        params[std::string(name.substr(0, name.size() - 1))] = std::string(path);
        return pattern.empty();
      }
      size_t slash = path.find('/');
      std::string_view seg = path.substr(0, slash);
      if (seg.empty()) return false;
      params[std::string(name)] = std::string(seg);
      path.remove_prefix(seg.size());
      continue;
    }
    if (path.empty() || pattern.front() != path.front()) return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

Response Router::Handle(Request& req) {
  const auto start = std::chrono::steady_clock::now();
  const Route* found = nullptr;
  std::string allowed;
  std::map<std::string, std::string> params;
  for (const auto& r : routes_) {
    if (!MatchPattern(r.pattern, req.path, params)) continue;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      found = &r;
      req.path_params = params;
      break;
    }
    allowed += allowed.empty() ? r.method : ", " + r.method;
  }

  Response res;
  std::string route_label = found ? found->pattern : "unmatched";
  if (!found && !allowed.empty()) {
    res = Problem(405, "method_not_allowed", req.method + " is not allowed here");
    res.Header("Allow", allowed);
  } else if (!found) {
    res = Problem(404, "route_not_found", "no such route: " + req.path);
  } else {
    bool authorised = true;
    if (found->needs_auth) {
      std::string h = req.Header("Authorization");
      if (h.size() < 8 || strncasecmp(h.c_str(), "Bearer ", 7) != 0) {
        res = Problem(401, "missing_token", "send Authorization: Bearer <token>");
        authorised = false;
      } else {
        std::string_view token = std::string_view(h).substr(7);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);  // "Bearer  x" is still a bearer token
        auto caller = auth_(token);
        if (!caller.ok()) {
          res = Problem(caller.status());
          authorised = false;
        } else {
          req.caller = *caller;
        }
      }
    }
    if (authorised) {
      try {
        res = found->handler(req);
      } catch (const std::exception& e) {
        log::Error("handler threw", {{"error", e.what()}, {"request_id", req.request_id}});
        res = Problem(500, "internal_error", "an internal error occurred");
      }
    }
  }
  res.Header("X-Request-Id", req.request_id);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.ObserveRequest(req.method, route_label, res.status, secs);
  log::Info("request", {{"method", req.method},
                        {"route", route_label},
                        {"path", req.path},
                        {"status", std::to_string(res.status)},
                        {"ms", std::to_string(static_cast<long long>(secs * 1000))},
                        {"request_id", req.request_id},
                        {"user", req.caller ? req.caller->username : ""}});
  return res;
}

}  // namespace arca::http
