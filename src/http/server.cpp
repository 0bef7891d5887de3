#include "http/server.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <future>
#include <thread>

#include "app/log.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"

namespace arca::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Parser = bhttp::request_parser<bhttp::buffer_body>;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Status ClientGone() { return Aborted("client_gone", "the client stopped sending"); }

std::string SafeRequestId(const std::string& given) {
  if (!given.empty() && given.size() <= 64) {
    bool ok = true;
    for (char c : given)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  c == '.');
    if (ok) return given;
  }
  return NewRequestId();
}

void ParseQuery(std::string_view q, std::multimap<std::string, std::string>& out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string k(pair.substr(0, eq));
    std::string v(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (auto* s : {&k, &v})
      for (auto& c : *s)
        if (c == '+') c = ' ';
    out.emplace(PercentDecode(k).value_or(k), PercentDecode(v).value_or(v));
  }
}

// Reads a chunked body for a handler thread by running async reads on the
// connection's event loop and waiting for them (Beast decodes the chunks):
// handlers stay synchronous while every socket operation keeps its timeout.
class StreamBodyReader : public BodyReader {
 public:
  StreamBodyReader(beast::tcp_stream& s, beast::flat_buffer& b, Parser& p, bool expect_continue,
                   std::chrono::seconds timeout, const std::atomic<bool>& halted)
      : stream_(s), buffer_(b), parser_(p), expect_continue_(expect_continue), timeout_(timeout), halted_(halted) {}

  Result<size_t> Read(char* buf, size_t max) override {
    if (parser_.is_done()) return size_t{0};
    if (failed_) return ClientGone();
    if (expect_continue_) {
      expect_continue_ = false;
      std::promise<beast::error_code> p;
      asio::post(stream_.get_executor(), [&] {
        stream_.expires_after(timeout_);
        asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                          [&](beast::error_code ec, size_t) { p.set_value(ec); });
      });
      auto f = p.get_future();
      if (!Wait(f) || f.get()) return Fail();
    }
    for (;;) {
      std::promise<beast::error_code> p;
      size_t got = 0;
      asio::post(stream_.get_executor(), [&] {
        parser_.get().body().data = buf;
        parser_.get().body().size = max;
        stream_.expires_after(timeout_);
        bhttp::async_read_some(stream_, buffer_, parser_, [&](beast::error_code ec, size_t) {
          got = max - parser_.get().body().size;
          if (ec == bhttp::error::need_buffer) ec = {};
          p.set_value(ec);
        });
      });
      auto f = p.get_future();
      if (!Wait(f) || f.get()) return Fail();
      if (got > 0 || parser_.is_done()) return got;
    }
  }

 private:
  // Waits for the event loop; gives up if the server halted it, since then
  // the read's completion will never run.
  bool Wait(std::future<beast::error_code>& f) {
    while (f.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready)
      if (halted_) return false;
    return true;
  }
  Status Fail() {
    failed_ = true;
    return ClientGone();
  }
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  Parser& parser_;
  bool expect_continue_;
  std::chrono::seconds timeout_;
  const std::atomic<bool>& halted_;
  bool failed_ = false;
};

// Reads a body of known length straight from the socket, on the handler's
// own thread. For an upload the event loop adds nothing but a hand-off per
// read of at most 64 KiB (post, wake the loop, wake the handler): the
// kernel's task switches took 24 % of Arca's samples during a 1 GiB upload
// that way, 7 % this way (docs/performance.md). The loop does not touch the
// socket while the handler runs. Every wait has the read timeout, and gives
// up within 200 ms once the server halts. It never reads past the body, so
// a pipelined next request stays for the session.
class DirectBodyReader : public BodyReader {
 public:
  DirectBodyReader(tcp::socket& s, beast::flat_buffer& b, std::uint64_t length, bool expect_continue,
                   std::chrono::seconds timeout, const std::atomic<bool>& halted)
      : fd_(s.native_handle()),
        buffer_(b),
        left_(length),
        expect_continue_(expect_continue),
        timeout_(timeout),
        halted_(halted) {}

  Result<size_t> Read(char* buf, size_t max) override {
    if (left_ == 0 || max == 0) return size_t{0};
    // A client sending steadily never waits, so the halt is checked here too.
    if (failed_ || halted_) return Fail();
    if (expect_continue_) {
      expect_continue_ = false;
      if (!SendAll(kContinue)) return Fail();
    }
    const size_t want = static_cast<size_t>(std::min<std::uint64_t>(max, left_));
    if (buffer_.size() > 0) {  // bytes that arrived with the header
      const size_t n = std::min(want, buffer_.size());
      std::memcpy(buf, buffer_.data().data(), n);
      buffer_.consume(n);
      left_ -= n;
      return n;
    }
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, want, MSG_DONTWAIT);
      if (n > 0) {
        left_ -= static_cast<std::uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (n == 0) return Fail();  // the client closed before the end of the body
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !WaitFor(POLLIN)) return Fail();
    }
  }
  bool done() const { return left_ == 0; }

 private:
  bool WaitFor(short events) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (;;) {
      if (halted_) return false;
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      const auto slice = std::min<std::chrono::milliseconds>(
          std::chrono::milliseconds(200), std::chrono::ceil<std::chrono::milliseconds>(left));
      pollfd p{fd_, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(slice.count()));
      if (r > 0) return true;  // ready, or an error the next call reports
      if (r < 0 && errno != EINTR) return false;
    }
  }
  bool SendAll(std::string_view s) {
    while (!s.empty()) {
      const ssize_t n = ::send(fd_, s.data(), s.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        s.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(POLLOUT)) return false;
      } else {
        return false;
      }
    }
    return true;
  }
  Status Fail() {
    failed_ = true;
    return ClientGone();
  }

  int fd_;
  beast::flat_buffer& buffer_;
  std::uint64_t left_;
  bool expect_continue_;
  std::chrono::seconds timeout_;
  const std::atomic<bool>& halted_;
  bool failed_ = false;
};

// A body already read in full.
class StringBodyReader : public BodyReader {
 public:
  std::string data;
  Result<size_t> Read(char* buf, size_t max) override {
    size_t n = std::min(max, data.size() - pos_);
    std::memcpy(buf, data.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  size_t pos_ = 0;
};

}  // namespace

struct Server::Impl {
  ServerOptions opts;
  Router& router;
  // One event loop per I/O thread, each with its own sessions (and, with
  // PostgreSQL, its own database connections): a request's work never
  // crosses to another I/O thread, so the loops share no locks. Measured
  // with one shared io_context run by two threads, contended mutexes and
  // wake-ups cost ~0.8 futex calls per request (docs/performance.md).
  std::vector<std::unique_ptr<asio::io_context>> loops;
  size_t next_loop = 0;  // round-robin for new connections; used by the accept loop only
  asio::thread_pool quick;
  asio::thread_pool streaming;
  tcp::acceptor acceptor;
  std::atomic<int> active{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> halted{false};  // the event loops no longer run

  Impl(ServerOptions o, Router& r)
      : opts(std::move(o)),
        router(r),
        loops(MakeLoops(opts.io_threads)),
        quick(static_cast<size_t>(opts.quick_threads)),
        streaming(static_cast<size_t>(opts.stream_threads)),
        acceptor(*loops.front()) {}

  static std::vector<std::unique_ptr<asio::io_context>> MakeLoops(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    // Concurrency hint 1: each loop is run by exactly one thread.
    for (int i = 0; i < std::max(n, 1); ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      asio::io_context& loop = *loops[next_loop++ % loops.size()];
      auto [ec, sock] = co_await acceptor.async_accept(loop.get_executor(), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopping) co_return;
        continue;
      }
      sock.set_option(tcp::no_delay(true));
      // The session stays on its socket's loop; one thread runs it, so it needs no strand.
      asio::co_spawn(loop, Session(beast::tcp_stream(std::move(sock))), asio::detached);
    }
  }

  asio::awaitable<void> Session(beast::tcp_stream stream) {
    ++active;
    struct Guard {
      std::atomic<int>& n;
      ~Guard() { --n; }
    } guard{active};
    beast::flat_buffer buffer;
    // Beast reads at most the buffer's free capacity per call; a roomy buffer
    // turns a body into 64 KiB reads instead of 512-byte ones.
    buffer.reserve(64 * 1024);
    for (;;) {
      Parser parser;
      parser.header_limit(32 * 1024);
      parser.body_limit(boost::none);  // limits are the handlers' business (413 with a problem document)
      stream.expires_after(opts.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec != bhttp::error::end_of_stream && ec != asio::error::eof && ec != beast::error::timeout &&
            ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
          // A malformed request gets a plain 400 before we hang up.
          Response bad = Problem(400, "bad_request", "malformed HTTP request: " + ec.message());
          bad.Header("X-Request-Id", SafeRequestId(""));
          co_await Write(stream, bad, 11, false);
        }
        break;
      }
      auto& h = parser.get();
      Request req;
      req.method = std::string(h.method_string());
      req.target = std::string(h.target());
      std::string_view target = h.target();
      size_t qpos = target.find('?');
      std::string raw_path(target.substr(0, qpos));
      req.path = PercentDecode(raw_path).value_or(raw_path);
      if (qpos != std::string_view::npos) ParseQuery(target.substr(qpos + 1), req.query);
      for (auto& f : h) req.headers[std::string(f.name_string())] = std::string(f.value());
      if (auto len = parser.content_length()) req.content_length = *len;
      req.request_id = SafeRequestId(req.Header("X-Request-Id"));
      bool expect_continue = beast::iequals(req.Header("Expect"), "100-continue");
      const bool keep_alive = h.keep_alive();
      const unsigned version = h.version();
      const bool small = !parser.chunked() && parser.content_length().value_or(0) <= opts.small_body;

      StreamBodyReader stream_body(stream, buffer, parser, expect_continue, opts.read_timeout, halted);
      // A large body of known length is read by the handler's thread itself.
      const bool direct = !small && !parser.chunked() && parser.content_length().has_value();
      DirectBodyReader direct_body(stream.socket(), buffer, parser.content_length().value_or(0), expect_continue,
                                   opts.read_timeout, halted);
      StringBodyReader small_body;
      if (small) {
        // Read it here, on the event loop, so the handler thread never waits on the client.
        if (expect_continue) {
          stream.expires_after(opts.read_timeout);
          auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                                      asio::as_tuple(asio::use_awaitable));
          if (wec) break;
        }
        small_body.data.resize(parser.content_length().value_or(0));
        size_t got = 0;
        while (!parser.is_done()) {
          parser.get().body().data = small_body.data.data() + got;
          parser.get().body().size = small_body.data.size() - got;
          stream.expires_after(opts.read_timeout);
          auto [rec, rn] = co_await bhttp::async_read_some(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
          got = small_body.data.size() - parser.get().body().size;
          if (rec && rec != bhttp::error::need_buffer) break;
        }
        if (!parser.is_done()) break;  // the client went away
        req.body = &small_body;
      } else {
        req.body = direct ? static_cast<BodyReader*>(&direct_body) : &stream_body;
      }
      // Where the handler runs: see Placement. A large body is read while
      // the handler runs, which blocks, so such requests always go to a pool.
      const Placement where = small ? router.Place(req) : Placement::kPool;
      Response res;
      if (where == Placement::kEventLoop) {
        res = router.Handle(req);
      } else if (where == Placement::kEventLoopAsync) {
        res = co_await HandleOnLoop(req);
      } else {
        auto& pool = small ? quick : streaming;
        res = co_await asio::co_spawn(
            pool.get_executor(), [&]() -> asio::awaitable<Response> { co_return router.Handle(req); },
            asio::use_awaitable);
      }

      // A body the handler did not read (an early 401 or 413) is not drained:
      // the connection closes after the answer instead.
      const bool body_read = direct ? direct_body.done() : parser.is_done();
      const bool reuse = keep_alive && body_read && !stopping;
      bool ok = co_await Write(stream, res, version, reuse, req.method == "HEAD");
      if (!ok || !reuse) {
        if (ok && !body_read) co_await Drain(stream);
        break;
      }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
  }

  // Runs a kEventLoopAsync request and waits for its answer on the
  // session's own loop: the router's callback comes on that loop's thread
  // (the database connections belong to the loop) or inline, and dispatch
  // then resumes the session at once, without a queue or a wake-up.
  asio::awaitable<Response> HandleOnLoop(Request& req) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [this, &req](auto handler) {
          // Respond must be copyable; the coroutine's handler is move-only.
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          router.HandleAsync(req, [h](Response res) {
            auto ex = asio::get_associated_executor(*h);
            asio::dispatch(ex, [h, res = std::move(res)]() mutable { std::move(*h)(std::move(res)); });
          });
        },
        asio::use_awaitable);
  }

  // After answering a request whose body we did not read (401, 413), read
  // and drop what the client is still sending for a moment: closing with
  // unread data makes the kernel send a reset, and many clients then lose
  // the answer we just wrote.
  asio::awaitable<void> Drain(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::vector<char> sink(64 * 1024);
    std::size_t total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (total < (64u << 20) && std::chrono::steady_clock::now() < deadline) {
      stream.expires_after(std::chrono::seconds(1));
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      total += n;
    }
  }

  asio::awaitable<bool> Write(beast::tcp_stream& stream, Response& res, unsigned version, bool keep_alive,
                              bool head_only = false) {
    bhttp::response<bhttp::string_body> msg{static_cast<bhttp::status>(res.status), version};
    for (auto& [k, v] : res.headers) msg.insert(k, v);
    msg.set(bhttp::field::server, "arca");
    msg.keep_alive(keep_alive);
    const bool streaming = res.stream != nullptr;
    if (streaming) {
      msg.content_length(static_cast<std::uint64_t>(res.stream_length));
    } else {
      msg.content_length(res.body.size());
      if (!head_only) msg.body() = std::move(res.body);
    }
    stream.expires_after(opts.read_timeout);
    bhttp::response_serializer<bhttp::string_body> sr{msg};
    if (!streaming && !head_only) {
      auto [ec, n] = co_await bhttp::async_write(stream, sr, asio::as_tuple(asio::use_awaitable));
      co_return !ec;
    }
    auto [hec, hn] = co_await bhttp::async_write_header(stream, sr, asio::as_tuple(asio::use_awaitable));
    if (hec) co_return false;
    if (head_only) co_return true;
    std::vector<char> chunk(256 * 1024);
    std::int64_t left = res.stream_length;
    while (left > 0) {
      auto got = res.stream->Read(chunk.data(), std::min<size_t>(chunk.size(), static_cast<size_t>(left)));
      if (!got.ok() || *got == 0) co_return false;  // cannot finish the promised length: drop the connection
      stream.expires_after(opts.read_timeout);
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(chunk.data(), *got),
                                                asio::as_tuple(asio::use_awaitable));
      if (ec) co_return false;
      left -= static_cast<std::int64_t>(*got);
    }
    co_return true;
  }
};

Server::Server(ServerOptions opts, Router& router) : impl_(std::make_unique<Impl>(std::move(opts), router)) {}
Server::~Server() { Stop(std::chrono::seconds(0)); }

Status Server::Listen() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opts.host, ec);
  if (ec) return InvalidArgument("invalid_listen", "not an IP address: " + impl_->opts.host);
  tcp::endpoint ep{addr, impl_->opts.port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Unavailable("listen_failed", "cannot listen on " + impl_->opts.host + ":" +
                                            std::to_string(impl_->opts.port) + ": " + ec.message());
  return Status::Ok();
}

unsigned short Server::Port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<boost::asio::io_context*> Server::EventLoops() {
  std::vector<boost::asio::io_context*> out;
  for (auto& l : impl_->loops) out.push_back(l.get());
  return out;
}

void Server::Run() {
  auto& loops = impl_->loops;
  asio::co_spawn(*loops.front(), impl_->Accept(), asio::detached);
  std::vector<std::thread> threads;
  // Sessions come and go; each loop runs until Stop(), work or not.
  auto run = [](asio::io_context& loop) {
    auto busy = asio::make_work_guard(loop);
    loop.run();
  };
  for (size_t i = 1; i < loops.size(); ++i) threads.emplace_back([&run, &loop = *loops[i]] { run(loop); });
  run(*loops.front());
  for (auto& t : threads) t.join();
}

void Server::Stop(std::chrono::seconds grace) {
  if (impl_->stopping.exchange(true)) return;
  asio::post(*impl_->loops.front(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->active > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  impl_->halted = true;
  for (auto& l : impl_->loops) l->stop();
  impl_->quick.join();
  impl_->streaming.join();
}

}  // namespace arca::http
