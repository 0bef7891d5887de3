// The HTTP/1.1 server: Beast on Asio with C++20 coroutines. The event loop
// moves bytes and answers the requests whose work never blocks (the router
// says which: Placement); every other handler runs on a pool thread, so
// blocking work (database, disk) never stalls other connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace arca::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;  // one event loop each; connections are spread over them
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
  // The event loops, one per I/O thread, for adapters that wait on them
  // (PostgreSQL's async reads). They live as long as the Server; nothing
  // runs them outside Run().
  std::vector<boost::asio::io_context*> EventLoops();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arca::http
