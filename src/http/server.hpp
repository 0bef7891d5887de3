// The HTTP/1.1 server: Beast on Asio with C++20 coroutines. The event loop
// only moves bytes; each request's handler runs on a pool thread, so
// blocking work (database, disk) never stalls other connections.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace arca::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  int handler_threads = 32;  // concurrent requests being handled (uploads hold one each)
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
