// The HTTP/1.1 server: Beast on Asio with C++20 coroutines. The event loop
// only moves bytes; each request's handler runs on a pool thread, so
// blocking work (database, disk) never stalls other connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace arca::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  // Requests whose body is small (or absent) are read by the event loop and
  // handled on the quick pool, which therefore never waits on a client.
  int quick_threads = 16;
  // Requests with large or chunked bodies (uploads) stream on their own pool:
  // slow uploaders can fill it but never delay other requests.
  int stream_threads = 64;
  std::uint64_t small_body = 64 * 1024;
  std::chrono::seconds read_timeout{60};  // a client silent this long is dropped
  std::chrono::seconds idle_timeout{30};  // between keep-alive requests
};

class Server {
 public:
  Server(ServerOptions opts, Router& router);
  ~Server();
  // Binds the port (kUnavailable if taken); after this, Port() is known.
  Status Listen();
  unsigned short Port() const;
  // Serves until Stop(); in-flight requests get `grace` to finish.
  void Run();
  void Stop(std::chrono::seconds grace = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arca::http
