// A small HTTP/1.1 client for the S3 adapter: one request per connection,
// plain or TLS (certificates verified by default), with a deadline on every
// step. Blocking for the caller; Beast and Asio stay inside http_client.cpp.
#pragma once

#include <chrono>
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

class HttpClient {
 public:
  HttpClient(Endpoint endpoint, std::chrono::seconds timeout, bool verify_tls = true)
      : ep_(std::move(endpoint)), timeout_(timeout), verify_tls_(verify_tls) {}
  const Endpoint& endpoint() const { return ep_; }

  // Network failures and timeouts are kUnavailable ("storage_unreachable"):
  // the caller decides whether to retry. Response bodies over `max_body`
  // are an error. Thread-safe: each call has its own connection.
  Result<HttpResponse> Send(const HttpRequest& req, size_t max_body = 1 << 20) const;
 private:
  Endpoint ep_;
  std::chrono::seconds timeout_;
  bool verify_tls_;
};

}  // namespace arca::s3
