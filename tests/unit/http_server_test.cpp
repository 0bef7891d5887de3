// The server's reading of large bodies, over loopback in this process: a
// body of known length is read by the handler's thread straight from the
// socket, and a client that goes silent, or a server that stops, ends the
// read instead of holding the thread.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

namespace arca {
namespace {

using Clock = std::chrono::steady_clock;

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(std::chrono::seconds read_timeout) {
    router_.Add({"POST", "/upload", false, true, [this](http::Request& req) {
                   std::string buf(64 * 1024, '\0');
                   std::uint64_t total = 0;
                   for (;;) {
                     auto n = req.body->Read(buf.data(), buf.size());
                     if (!n.ok()) {
                       outcome_.set_value(n.status());
                       return http::Problem(n.status());
                     }
                     if (*n == 0) break;
                     total += *n;
                     // A slow consumer (hashing, a slow store): the client stays ahead.
                     if (slow_) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                   }
                   outcome_.set_value(Status::Ok());
                   return http::Json(200, "{\"bytes\":" + std::to_string(total) + "}");
                 }});
    http::ServerOptions o;
    o.port = 0;
    o.read_timeout = read_timeout;
    o.quick_threads = 2;
    o.stream_threads = 2;
    server_ = std::make_unique<http::Server>(o, router_);
    ASSERT_TRUE(server_->Listen().ok());
    runner_ = std::thread([this] { server_->Run(); });
  }
  ~HttpServerTest() override {
    if (server_) server_->Stop(std::chrono::seconds(0));
    if (runner_.joinable()) runner_.join();
  }

  // A client socket that gives up sending after 1 s (the server may stop reading).
  int Connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_->Port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval one_second{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &one_second, sizeof one_second);
    return fd;
  }
  static bool SendAll(int fd, const std::string& s) {
    for (size_t at = 0; at < s.size();) {
      ssize_t n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<size_t>(n);
    }
    return true;
  }
  static std::string UploadHead(std::uint64_t length) {
    return "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  }

  http::Metrics metrics_;
  http::Router router_{[](std::string_view) -> Result<Caller> { return Caller{}; }, metrics_};
  std::promise<Status> outcome_;  // how the handler's read ended
  bool slow_ = false;
  std::unique_ptr<http::Server> server_;
  std::thread runner_;
};

TEST_F(HttpServerTest, ALargeBodyIsReadInFullAndAnswered) {
  Start(std::chrono::seconds(10));
  int fd = Connect();
  const std::string body(3 * 1024 * 1024 + 17, 'b');
  ASSERT_TRUE(SendAll(fd, UploadHead(body.size()) + body));
  auto outcome = outcome_.get_future();
  ASSERT_EQ(outcome.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(outcome.get().ok());
  std::string answer(4096, '\0');
  ssize_t n = ::recv(fd, answer.data(), answer.size(), 0);
  ASSERT_GT(n, 0);
  answer.resize(static_cast<size_t>(n));
  EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
  EXPECT_NE(answer.find("{\"bytes\":" + std::to_string(body.size()) + "}"), std::string::npos) << answer;
  ::close(fd);
}

TEST_F(HttpServerTest, AClientSilentMidBodyIsDroppedAfterTheReadTimeout) {
  Start(std::chrono::seconds(1));
  int fd = Connect();
  ASSERT_TRUE(SendAll(fd, UploadHead(1 << 20) + std::string(100 * 1024, 's')));
  const auto start = Clock::now();
  auto outcome = outcome_.get_future();
  ASSERT_EQ(outcome.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "the read never gave up";
  const auto waited = Clock::now() - start;
  Status st = outcome.get();
  EXPECT_EQ(st.kind(), ErrorKind::kAborted);
  EXPECT_EQ(st.code(), "client_gone");
  EXPECT_GE(waited, std::chrono::milliseconds(800));
  EXPECT_LT(waited, std::chrono::seconds(5));
  ::close(fd);
}

// The handler is slower than the client, so every read finds bytes waiting
// and never waits on the socket: the halt must be noticed all the same.
TEST_F(HttpServerTest, StoppingEndsTheReadOfAClientThatKeepsSending) {
  slow_ = true;
  Start(std::chrono::seconds(60));
  int fd = Connect();
  std::atomic<bool> sending{true};
  std::thread client([&] {
    const std::string piece(64 * 1024, 'k');
    const auto give_up = Clock::now() + std::chrono::seconds(8);  // so a broken server fails rather than hangs
    bool ok = SendAll(fd, UploadHead(std::uint64_t{64} << 30));  // 64 GiB: never finishes
    while (ok && sending && Clock::now() < give_up) ok = SendAll(fd, piece);
  });
  auto outcome = outcome_.get_future();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(outcome.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "the read ended early";
  const auto start = Clock::now();
  server_->Stop(std::chrono::seconds(0));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3)) << "Stop waited for the upload";
  ASSERT_EQ(outcome.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  EXPECT_EQ(outcome.get().code(), "client_gone");
  sending = false;
  client.join();
  ::close(fd);
}

}  // namespace
}  // namespace arca
