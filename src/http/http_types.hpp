// Requests and responses as handlers see them: plain structs with no Beast
// or Asio types, so handlers compile fast and are easy to test.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/status.hpp"
#include "ports/object_store.hpp"

namespace arca::http {

// Pulls the request body from the connection. Blocking; used by the one
// handler thread that owns the request. The first Read answers an
// "Expect: 100-continue" so rejected uploads are never sent at all.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Up to `max` bytes; 0 at the end of the body. kAborted when the client
  // goes away or stops sending for longer than the read timeout.
  virtual Result<size_t> Read(char* buf, size_t max) = 0;
};

struct CaseLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct Request {
  std::string method;
  std::string target;  // as received, with the query
  std::string path;    // percent-decoded
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string, CaseLess> headers;
  std::map<std::string, std::string> path_params;
  std::optional<std::uint64_t> content_length;
  std::string request_id;
  std::optional<Caller> caller;  // set by the router on authenticated routes
  BodyReader* body = nullptr;

  // The value, or "" when the request has no such header.
  const std::string& Header(const std::string& name) const {
    static const std::string kNone;
    auto it = headers.find(name);
    return it == headers.end() ? kNone : it->second;
  }
  // Reads the whole body; kTooLarge ("body_too_large") past `limit`.
  Result<std::string> ReadBody(size_t limit) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is streamed from here instead (`stream_length` bytes).
  std::unique_ptr<ObjectReader> stream;
  std::int64_t stream_length = 0;
  // What a 500 keeps from the client: the Status's code and message. Never
  // sent; the router writes it to the log with the request's id.
  struct Hidden {
    std::string code, detail;
  };
  std::optional<Hidden> internal_error;

  Response& Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// How a handler that completes later hands over its answer (see router.hpp).
using Respond = std::function<void(Response)>;

Response Json(int status, std::string body);
// RFC 9457 problem document carrying the Status's stable code.
Response Problem(const Status& st);
Response Problem(int status, const std::string& code, const std::string& detail);
int HttpStatusOf(ErrorKind kind);

}  // namespace arca::http
