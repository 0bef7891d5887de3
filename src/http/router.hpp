// Maps method + path pattern to a handler. Patterns use "{name}" for one
// segment and "{name*}" for the rest of the path. The router authenticates
// protected routes, records metrics and writes one log line per request.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <optional>

#include "http/http_types.hpp"
#include "http/metrics.hpp"

namespace arca::http {

using Handler = std::function<Response(Request&)>;
using Authenticator = std::function<Result<Caller>(std::string_view bearer_token)>;

// The non-blocking forms, for requests answered on the server's event loop:
// they call their Respond/`done` exactly once, inline or later on an event-loop
// thread, and never block in between.
using AsyncHandler = std::function<void(Request&, Respond respond)>;
using AsyncAuthenticator = std::function<void(std::string_view bearer_token, ResultCallback<Caller> done)>;

// The "{name}" segments a path matched, as (name, value) views into the
// pattern and the path: matching allocates nothing, since every request is
// tried against the routes one by one.
struct PathCaptures {
  static constexpr size_t kMax = 4;
  std::array<std::pair<std::string_view, std::string_view>, kMax> items;
  size_t size = 0;
};

struct Route {
  std::string method;
  std::string pattern;
  bool needs_auth = true;
  bool in_openapi = true;  // false only for the static UI
  Handler handler;
  // True when `handler` does no blocking I/O at all (no database, disk or
  // network): the server then runs it on the event loop, with no hand-off.
  bool non_blocking = false;
  // Set when the route can wait for its I/O without blocking (the hot reads
  // on a store with NonBlockingReads): the server runs it on the event loop.
  AsyncHandler async_handler = nullptr;
};

// Where the server runs a request (docs/architecture.md, "Threading model").
enum class Placement {
  kEventLoop,       // Handle() on the I/O thread: nothing in it blocks
  kEventLoopAsync,  // HandleAsync() on the I/O thread: waits without blocking
  kPool,            // Handle() on a pool thread: it may block
};
std::string_view ToString(Placement p);

class Router {
 public:
  // `async_auth` is needed only by routes with an async_handler.
  Router(Authenticator auth, Metrics& metrics, AsyncAuthenticator async_auth = nullptr)
      : auth_(std::move(auth)), async_auth_(std::move(async_auth)), metrics_(metrics) {}

  // Throws std::invalid_argument for a pattern with more than PathCaptures::kMax captures.
  void Add(Route route);
  // Where `req` should run. Unknown routes and wrong methods are answered
  // without I/O, so they run on the event loop.
  Placement Place(const Request& req) const;
  // Never throws: a handler's exception becomes a 500 problem.
  Response Handle(Request& req);
  // For requests placed kEventLoopAsync: the same matching, authentication,
  // metrics and log line as Handle, with the async authenticator and
  // handler. `respond` is called exactly once (a 500 problem if the handler
  // throws or drops its callback); `req` must stay alive until then.
  void HandleAsync(Request& req, Respond respond);
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Match {
    const Route* route = nullptr;
    PathCaptures params;  // views into the route's pattern and the request's path
    std::string allowed;  // methods of the path, for a 405
  };
  struct Pending;  // an async request in flight
  Match Find(const Request& req) const;
  Placement PlaceMatch(const Match& m) const;
  // The answer when no route fits (404, 405); none otherwise.
  static std::optional<Response> Refuse(const Request& req, const Match& m);
  // What every answer gets, on either path: X-Request-Id, metrics, the log line.
  void Finish(Request& req, const Match& m, Placement where, std::chrono::steady_clock::time_point start,
              Response& res);

  Authenticator auth_;
  AsyncAuthenticator async_auth_;
  Metrics& metrics_;
  std::vector<Route> routes_;
};

// True when `path` fits `pattern`; fills `params`. A pattern with more than
// PathCaptures::kMax captures never matches (Router::Add refuses one).
bool MatchPattern(std::string_view pattern, std::string_view path, PathCaptures& params);

}  // namespace arca::http
