// A small HTTP/1.1 client for the S3 adapter: one request per connection,
// plain or TLS (certificates verified by default), with a deadline on every
// step. Blocking for the caller; Beast and Asio stay inside http_client.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace arca::s3 {

struct Endpoint {
  bool tls = false;
  std::string host;
  unsigned short port = 80;
  std::string HostHeader() const;  // "host" or "host:port" when the port is not the scheme's default
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // encoded path and query
  HeaderList headers;  // Host is added from the endpoint
  std::string_view body;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string Header(std::string_view name) const;  // case-insensitive; "" when absent
};

// One request whose body goes out as it is produced: Open connects and
// sends the head (which must carry the Content-Length), Write sends body
// bytes, Finish reads the answer. Destroying it before Finish drops the
// connection, so the server sees an incomplete body. One thread at a time.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Both, in one gathered send (no copy to join them).
  virtual Status Write(std::string_view first, std::string_view second) = 0;
  virtual Result<HttpResponse> Finish(size_t max_body) = 0;
};

class HttpClient {
 public:
  HttpClient(Endpoint endpoint, std::chrono::seconds timeout, bool verify_tls = true)
      : ep_(std::move(endpoint)), timeout_(timeout), verify_tls_(verify_tls) {}
  const Endpoint& endpoint() const { return ep_; }

  // Network failures and timeouts are kUnavailable ("storage_unreachable"):
  // the caller decides whether to retry. Response bodies over `max_body`
  // are an error. Thread-safe: each call has its own connection.
  Result<HttpResponse> Send(const HttpRequest& req, size_t max_body = 1 << 20) const;
  // `req.body` is ignored; the caller writes it. Same errors as Send.
  Result<std::unique_ptr<HttpExchange>> Open(const HttpRequest& req) const;

 private:
  Endpoint ep_;
  std::chrono::seconds timeout_;
  bool verify_tls_;
};

}  // namespace arca::s3
