#include "http/router.hpp"

#include <strings.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "app/log.hpp"

namespace arca::http {

bool MatchPattern(std::string_view pattern, std::string_view path, PathCaptures& params) {
  params.size = 0;
  auto capture = [&](std::string_view name, std::string_view value) {
    if (params.size == PathCaptures::kMax) return false;
    params.items[params.size++] = {name, value};
    return true;
  };
  while (!pattern.empty()) {
    if (pattern.front() == '{') {
      size_t close = pattern.find('}');
      std::string_view name = pattern.substr(1, close - 1);
      pattern.remove_prefix(close + 1);
      if (name.ends_with("*")) {
        if (path.empty()) return false;
        return pattern.empty() && capture(name.substr(0, name.size() - 1), path);
      }
      size_t slash = path.find('/');
      std::string_view seg = path.substr(0, slash);
      if (seg.empty() || !capture(name, seg)) return false;
      path.remove_prefix(seg.size());
      continue;
    }
    if (path.empty() || pattern.front() != path.front()) return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

std::string_view ToString(Placement p) {
  switch (p) {
    case Placement::kEventLoop: return "event_loop";
    case Placement::kEventLoopAsync: return "event_loop_async";
    default: return "pool";
  }
}

namespace {

using Clock = std::chrono::steady_clock;

// The bearer token of a protected request; kUnauthenticated ("missing_token") without one.
Result<std::string_view> BearerToken(const Request& req) {
  const std::string& h = req.Header("Authorization");
  if (h.size() < 8 || strncasecmp(h.c_str(), "Bearer ", 7) != 0)
    return Unauthenticated("missing_token", "send Authorization: Bearer <token>");
  std::string_view token = std::string_view(h).substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);  // "Bearer  x" is still a bearer token
  return token;
}

void SetPathParams(Request& req, const PathCaptures& params) {
  req.path_params.clear();
  for (size_t i = 0; i < params.size; ++i)
    req.path_params.emplace(std::string(params.items[i].first), std::string(params.items[i].second));
}

Response InternalError() { return Problem(500, "internal_error", "an internal error occurred"); }

}  // namespace

void Router::Add(Route route) {
  if (std::count(route.pattern.begin(), route.pattern.end(), '{') > static_cast<std::ptrdiff_t>(PathCaptures::kMax))
    throw std::invalid_argument("route pattern has too many captures: " + route.pattern);
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(const Request& req) const {
  Match m;
  for (const auto& r : routes_) {
    if (!MatchPattern(r.pattern, req.path, m.params)) continue;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      m.route = &r;
      return m;
    }
    m.allowed += m.allowed.empty() ? r.method : ", " + r.method;
  }
  return m;
}

Placement Router::Place(const Request& req) const { return PlaceMatch(Find(req)); }

Placement Router::PlaceMatch(const Match& m) const {
  if (!m.route) return Placement::kEventLoop;  // a 404 or 405, no I/O
  if (m.route->async_handler && async_auth_) return Placement::kEventLoopAsync;
  // Checking a token may read the user from the database, so only public
  // routes can run a blocking-free handler inline.
  if (m.route->non_blocking && !m.route->needs_auth) return Placement::kEventLoop;
  return Placement::kPool;
}

std::optional<Response> Router::Refuse(const Request& req, const Match& m) {
  if (m.route) return std::nullopt;
  if (!m.allowed.empty()) {
    Response res = Problem(405, "method_not_allowed", req.method + " is not allowed here");
    res.Header("Allow", m.allowed);
    return res;
  }
  return Problem(404, "route_not_found", "no such route: " + req.path);
}

void Router::Finish(Request& req, const Match& m, Placement where, Clock::time_point start, Response& res) {
  const std::string_view route_label = m.route ? std::string_view(m.route->pattern) : "unmatched";
  res.Header("X-Request-Id", req.request_id);
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  metrics_.ObserveRequest(req.method, route_label, res.status, secs);
  if (res.internal_error)
    log::Error("internal error", {{"code", res.internal_error->code},
                                  {"detail", res.internal_error->detail},
                                  {"request_id", req.request_id},
                                  {"route", std::string(route_label)}});
  // The line's fields are copies: build them only when the line is written.
  if (!log::Enabled(log::Level::kInfo)) return;
  log::Info("request", {{"method", req.method},
                        {"route", std::string(route_label)},
                        {"path", req.path},
                        {"status", std::to_string(res.status)},
                        {"ms", std::to_string(static_cast<long long>(secs * 1000))},
                        {"request_id", req.request_id},
                        {"user", req.caller ? req.caller->username : ""},
                        {"runs_on", std::string(ToString(where))}});
}

Response Router::Handle(Request& req) {
  const auto start = Clock::now();
  Match m = Find(req);
  Response res;
  if (auto refused = Refuse(req, m)) {
    res = std::move(*refused);
  } else {
    SetPathParams(req, m.params);
    bool authorised = true;
    if (m.route->needs_auth) {
      auto token = BearerToken(req);
      auto caller = token.ok() ? auth_(*token) : Result<Caller>(token.status());
      if (caller.ok()) {
        req.caller = *caller;
      } else {
        res = Problem(caller.status());
        authorised = false;
      }
    }
    if (authorised) {
      try {
        res = m.route->handler(req);
      } catch (const std::exception& e) {
        log::Error("handler threw", {{"error", e.what()}, {"request_id", req.request_id}});
        res = InternalError();
      }
    }
  }
  Finish(req, m, PlaceMatch(m), start, res);
  return res;
}

// One async request in flight: answers exactly once, and answers 500 if
// every copy of its callback is dropped unanswered (an exception further
// down the chain, which the store's completion cannot report).
struct Router::Pending {
  Pending(Router& r, Request& q, Match m, Respond respond)
      : router(r), req(q), match(std::move(m)), start(Clock::now()), respond(std::move(respond)) {}
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

  Router& router;
  Request& req;
  Match match;
  Clock::time_point start;
  Respond respond;
  bool sent = false;

  void Send(Response res) {
    if (sent) return;
    sent = true;
    router.Finish(req, match, Placement::kEventLoopAsync, start, res);
    respond(std::move(res));
  }
  void Run(const std::shared_ptr<Pending>& self) {
    try {
      match.route->async_handler(req, [self](Response res) { self->Send(std::move(res)); });
    } catch (const std::exception& e) {
      log::Error("handler threw", {{"error", e.what()}, {"request_id", req.request_id}});
      Send(InternalError());
    }
  }
  ~Pending() {
    if (sent) return;
    log::Error("handler lost its answer", {{"request_id", req.request_id}});
    try {
      Send(InternalError());
    } catch (...) {  // nothing more can be done for this request
    }
  }
};

void Router::HandleAsync(Request& req, Respond respond) {
  auto p = std::make_shared<Pending>(*this, req, Find(req), std::move(respond));
  if (auto refused = Refuse(req, p->match)) return p->Send(std::move(*refused));
  SetPathParams(req, p->match.params);
  if (!p->match.route->needs_auth) return p->Run(p);
  auto token = BearerToken(req);
  if (!token.ok()) return p->Send(Problem(token.status()));
  async_auth_(*token, [p](Result<Caller> caller) {
    if (!caller.ok()) return p->Send(Problem(caller.status()));
    p->req.caller = std::move(*caller);
    p->Run(p);
  });
}

}  // namespace arca::http
