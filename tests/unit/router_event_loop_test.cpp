// Which requests the server answers on its event loop, and that the async
// path of the hot reads gives exactly the answers of the blocking path:
// owners see their files, others get 404, bad tokens 401, and a lost
// completion still gets an answer.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <functional>

#include "app/auth.hpp"
#include "core/ids.hpp"
#include "http/routes.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

using http::Placement;

// A store whose hot reads complete later, when the test runs them, as the
// PostgreSQL adapter's complete when the database answers.
class DeferredReadsStore : public fakes::MetadataStoreWrapper {
 public:
  using MetadataStoreWrapper::MetadataStoreWrapper;
  bool NonBlockingReads() const override { return true; }
  void FindUserByIdAsync(const std::string& id, ResultCallback<User> done) override {
    pending.push_back([this, id, done] { done(t_.FindUserById(id)); });
  }
  void GetFileAsync(const std::string& id, ResultCallback<FileRecord> done) override {
    pending.push_back([this, id, done] { done(t_.GetFile(id)); });
  }
  // Runs what is waiting, as the event loop would once the database answers.
  void Complete() {
    while (!pending.empty()) {
      auto next = std::move(pending.front());
      pending.pop_front();
      next();
    }
  }
  std::deque<std::function<void()>> pending;
};

class RouterEventLoopTest : public ::testing::Test {
 protected:
  RouterEventLoopTest() {
    alice_ = f_.AddUser("alice");
    bob_ = f_.AddUser("bob");
    FileRecord rec;
    rec.id = NewId();
    rec.name = "report.pdf";
    rec.owner_id = alice_.id;
    rec.object_key = "files/" + rec.id;
    rec.content_type = "application/pdf";
    file_id_ = rec.id;
    EXPECT_TRUE(f_.meta.InsertFiles({rec}).ok());
  }

  // A router as `arca serve` builds it, over `app`.
  std::unique_ptr<http::Router> MakeRouter(App& app) {
    auto r = std::make_unique<http::Router>([&app](std::string_view t) { return Authenticate(app, t); }, metrics_,
                                            [&app](std::string_view t, ResultCallback<Caller> done) {
                                              AuthenticateAsync(app, t, std::move(done));
                                            });
    http::AddRoutes(*r, app, metrics_, {});
    return r;
  }

  static http::Request Get(std::string path, const User* as = nullptr) {
    http::Request req;
    req.method = "GET";
    req.path = path;
    req.request_id = "test";
    if (as) req.headers["Authorization"] = "Bearer " + std::string(fakes::FakeTokenService::kPrefix) + as->id;
    return req;
  }

  // Runs `req` the way the server would for a kEventLoopAsync placement.
  static void StartAsync(http::Router& router, http::Request& req, std::optional<http::Response>& slot) {
    router.HandleAsync(req, [&slot](http::Response res) { slot = std::move(res); });
  }

  fakes::FakeApp f_;
  http::Metrics metrics_;
  User alice_, bob_;
  std::string file_id_;
};

TEST_F(RouterEventLoopTest, RoutesWithoutIoRunOnTheEventLoop) {
  auto router = MakeRouter(f_.app);
  EXPECT_EQ(router->Place(Get("/healthz")), Placement::kEventLoop);
  EXPECT_EQ(router->Place(Get("/api/openapi.json")), Placement::kEventLoop);
  EXPECT_EQ(router->Place(Get("/no/such/route")), Placement::kEventLoop);
  // The queue-depth gauge asks the database, and readiness checks every service.
  EXPECT_EQ(router->Place(Get("/metrics")), Placement::kPool);
  EXPECT_EQ(router->Place(Get("/readyz")), Placement::kPool);
}

TEST_F(RouterEventLoopTest, HotReadsOnABlockingStoreStayOnThePool) {
  auto router = MakeRouter(f_.app);  // the fake store blocks (NonBlockingReads is false)
  EXPECT_EQ(router->Place(Get("/api/files/" + file_id_)), Placement::kPool);
  EXPECT_EQ(router->Place(Get("/api/files")), Placement::kPool);
  EXPECT_EQ(router->Place(Get("/api/files/" + file_id_ + "/download")), Placement::kPool);
}

TEST_F(RouterEventLoopTest, HotReadsOnANonBlockingStoreRunOnTheEventLoopAndWritesDoNot) {
  DeferredReadsStore store(f_.meta);
  App app = f_.Wire(&store, nullptr, nullptr);
  auto router = MakeRouter(app);
  EXPECT_EQ(router->Place(Get("/api/files/" + file_id_)), Placement::kEventLoopAsync);
  EXPECT_EQ(router->Place(Get("/api/files")), Placement::kEventLoopAsync);
  EXPECT_EQ(router->Place(Get("/api/files/" + file_id_ + "/download")), Placement::kEventLoopAsync);
  auto patch = Get("/api/files/" + file_id_);
  patch.method = "PATCH";
  EXPECT_EQ(router->Place(patch), Placement::kPool);
  EXPECT_EQ(router->Place(Get("/api/me")), Placement::kPool);
}

TEST_F(RouterEventLoopTest, AsyncReadAnswersOnlyOnceTheDatabaseHasAnswered) {
  DeferredReadsStore store(f_.meta);
  App app = f_.Wire(&store, nullptr, nullptr);
  auto router = MakeRouter(app);
  auto req = Get("/api/files/" + file_id_, &alice_);
  std::optional<http::Response> res;
  StartAsync(*router, req, res);
  EXPECT_FALSE(res.has_value());  // waiting for the user row, then the file row
  store.Complete();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 200) << res->body;
  auto doc = boost::json::parse(res->body).as_object();
  EXPECT_EQ(doc.at("name").as_string(), "report.pdf");
  EXPECT_EQ(doc.at("owner").as_object().at("username").as_string(), "alice");
}

TEST_F(RouterEventLoopTest, AsyncAndBlockingPathsGiveTheSameAnswers) {
  DeferredReadsStore store(f_.meta);
  App async_app = f_.Wire(&store, nullptr, nullptr);
  auto async_router = MakeRouter(async_app);
  auto blocking_router = MakeRouter(f_.app);
  const std::string missing = NewId();
  struct Case {
    std::string path;
    const User* as;
    int status;
  };
  const std::vector<Case> cases{
      {"/api/files/" + file_id_, &alice_, 200},
      {"/api/files/" + file_id_, &bob_, 404},  // another user's file does not exist for them
      {"/api/files/" + missing, &alice_, 404},
      {"/api/files/not-an-id", &alice_, 404},
      {"/api/files/" + file_id_, nullptr, 401},
      {"/api/files/" + file_id_ + "/download", &alice_, 200},
      {"/api/files/" + file_id_ + "/download", &bob_, 404},
      {"/api/files?limit=0", &alice_, 400},
  };
  for (const auto& c : cases) {
    auto blocking_req = Get(c.path.substr(0, c.path.find('?')), c.as);
    auto async_req = Get(c.path.substr(0, c.path.find('?')), c.as);
    if (c.path.find('?') != std::string::npos) {
      blocking_req.query.emplace("limit", "0");
      async_req.query.emplace("limit", "0");
    }
    http::Response expected = blocking_router->Handle(blocking_req);
    std::optional<http::Response> got;
    StartAsync(*async_router, async_req, got);
    store.Complete();
    ASSERT_TRUE(got.has_value()) << c.path;
    EXPECT_EQ(expected.status, c.status) << c.path << " " << expected.body;
    EXPECT_EQ(got->status, expected.status) << c.path;
    EXPECT_EQ(got->body, expected.body) << c.path;
  }
}

TEST_F(RouterEventLoopTest, AReadThatThrowsOrLosesItsCompletionStillGetsAnAnswer) {
  class ThrowingStore : public DeferredReadsStore {
   public:
    using DeferredReadsStore::DeferredReadsStore;
    void GetFileAsync(const std::string&, ResultCallback<FileRecord>) override { throw std::runtime_error("boom"); }
  };
  class DroppingStore : public DeferredReadsStore {
   public:
    using DeferredReadsStore::DeferredReadsStore;
    // Loses `done`, as an exception deep in a completion would.
    void GetFileAsync(const std::string&, ResultCallback<FileRecord>) override {}
  };
  ThrowingStore throwing(f_.meta);
  DroppingStore dropping(f_.meta);
  for (DeferredReadsStore* store : {static_cast<DeferredReadsStore*>(&throwing), static_cast<DeferredReadsStore*>(&dropping)}) {
    App app = f_.Wire(store, nullptr, nullptr);
    auto router = MakeRouter(app);
    auto req = Get("/api/files/" + file_id_, &alice_);
    std::optional<http::Response> res;
    StartAsync(*router, req, res);
    store->Complete();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 500);
    EXPECT_NE(res->body.find("internal_error"), std::string::npos);
  }
}

// A database that fails every file read with an internal error.
class BrokenReadsStore : public DeferredReadsStore {
 public:
  using DeferredReadsStore::DeferredReadsStore;
  Result<FileRecord> GetFile(const std::string&) override { return Internal("db_broken", "relation \"files\" is gone"); }
  void GetFileAsync(const std::string& id, ResultCallback<FileRecord> done) override { done(GetFile(id)); }
};

TEST_F(RouterEventLoopTest, AnInternalErrorHidesItsCauseFromTheClientAndLogsItWithTheRequestId) {
  BrokenReadsStore store(f_.meta);
  App app = f_.Wire(&store, nullptr, nullptr);
  auto router = MakeRouter(app);
  for (bool async : {false, true}) {
    auto req = Get("/api/files/" + file_id_, &alice_);
    req.request_id = async ? "req-async-1" : "req-blocking-1";
    std::optional<http::Response> res;
    testing::internal::CaptureStderr();
    if (async) {
      StartAsync(*router, req, res);
      store.Complete();  // the user row
    } else {
      res = router->Handle(req);
    }
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body.find("is gone"), std::string::npos) << res->body;  // the cause stays inside
    EXPECT_NE(res->body.find("\"code\":\"db_broken\""), std::string::npos) << res->body;
    // One error line carries the cause and the id the client was answered with.
    size_t at = log.find("\"msg\":\"internal error\"");
    ASSERT_NE(at, std::string::npos) << log;
    const std::string line = log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
    EXPECT_NE(line.find("\"request_id\":\"" + req.request_id + "\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"code\":\"db_broken\""), std::string::npos) << line;
    EXPECT_NE(line.find("is gone"), std::string::npos) << line;
    bool answered_with_id = false;
    for (auto& [name, value] : res->headers) answered_with_id |= name == "X-Request-Id" && value == req.request_id;
    EXPECT_TRUE(answered_with_id);
  }
}

}  // namespace
}  // namespace arca
