// Logging in and creating users: wrong credentials never reveal which part
// was wrong, and bad usernames or weak passwords are refused up front.
#include <gtest/gtest.h>

#include "app/auth.hpp"
#include "core/ids.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

using fakes::FakeApp;

class AuthTest : public ::testing::Test {
 protected:
  AuthTest() { alice_ = f_.AddUser("alice"); }
  FakeApp f_;
  User alice_;
};

TEST_F(AuthTest, LoginWithTheRightPasswordIssuesATokenForThatUser) {
  auto t = Login(f_.app, "alice", "correct horse");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->expires_in, f_.app.settings.login_ttl);
  auto caller = Authenticate(f_.app, t->token);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->user_id, alice_.id);
  EXPECT_EQ(caller->username, "alice");
  EXPECT_FALSE(caller->is_admin);
}

TEST_F(AuthTest, LoginWithAWrongPasswordIsInvalidCredentials) {
  auto t = Login(f_.app, "alice", "wrong horse");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(t.status().code(), "invalid_credentials");
}

TEST_F(AuthTest, LoginOfAnUnknownUserLooksExactlyLikeAWrongPassword) {
  auto unknown = Login(f_.app, "mallory", "correct horse");
  auto wrong = Login(f_.app, "alice", "wrong horse");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(unknown.status().code(), "invalid_credentials");
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
}

TEST_F(AuthTest, LoginOfAnUnknownUserStillSpendsAPasswordHash) {
  int before = f_.passwords.hash_calls + f_.passwords.verify_calls;
  (void)Login(f_.app, "mallory", "whatever1");
  EXPECT_GT(f_.passwords.hash_calls + f_.passwords.verify_calls, before);  // no fast path that times out names
}

TEST_F(AuthTest, LoginIsCaseSensitiveOnTheUsername) {
  EXPECT_EQ(Login(f_.app, "Alice", "correct horse").status().code(), "invalid_credentials");
}

TEST_F(AuthTest, CreatedUserCanLogIn) {
  auto u = CreateUser(f_.app, "bob.smith_2-x", "s3cret-enough", true);
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->is_admin);
  EXPECT_EQ(u->created_at, f_.clock.Now());
  EXPECT_NE(u->password_hash, "s3cret-enough");  // stored hashed, never as given
  auto stored = f_.meta.FindUserByName("bob.smith_2-x");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, u->id);
  EXPECT_NE(stored->password_hash, "s3cret-enough");

  auto t = Login(f_.app, "bob.smith_2-x", "s3cret-enough");
  ASSERT_TRUE(t.ok());
  auto caller = Authenticate(f_.app, t->token);
  ASSERT_TRUE(caller.ok());
  EXPECT_TRUE(caller->is_admin);
}

TEST_F(AuthTest, CreateUserRejectsInvalidUsernames) {
  const std::string too_long(65, 'a');
  for (const std::string& name : {std::string(""), std::string("a b"), std::string("joão"), std::string("a/b"),
                                  std::string("a:b"), std::string("a\nb"), too_long}) {
    SCOPED_TRACE(name);
    auto u = CreateUser(f_.app, name, "long enough password", false);
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(u.status().code(), "invalid_username");
  }
  EXPECT_EQ(*f_.meta.CountUsers(), 1);
  EXPECT_TRUE(CreateUser(f_.app, std::string(64, 'a'), "long enough password", false).ok());
}

TEST_F(AuthTest, CreateUserRejectsShortPasswords) {
  for (const std::string& pw : {std::string(""), std::string("1234567")}) {
    auto u = CreateUser(f_.app, "bob", pw, false);
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(u.status().code(), "weak_password");
  }
  EXPECT_EQ(f_.meta.FindUserByName("bob").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(CreateUser(f_.app, "bob", "12345678", false).ok());
}

TEST_F(AuthTest, CreateUserWithATakenNameIsConflict) {
  auto u = CreateUser(f_.app, "alice", "another password", false);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(u.status().code(), "user_exists");
  EXPECT_EQ(f_.meta.FindUserByName("alice")->id, alice_.id);
}

TEST_F(AuthTest, TokenOfAUserThatNoLongerExistsIsRefused) {
  auto t = f_.tokens.Issue(User{"no-such-user", "ghost", "", false, 0}, std::chrono::seconds(60), "");
  ASSERT_TRUE(t.ok());
  auto caller = Authenticate(f_.app, t->token);
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.status().kind(), ErrorKind::kUnauthenticated);
}

TEST_F(AuthTest, BadTokenIsUnauthenticated) {
  EXPECT_EQ(Authenticate(f_.app, "garbage").status().kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(Authenticate(f_.app, "").status().kind(), ErrorKind::kUnauthenticated);
}

TEST_F(AuthTest, IssueTokenForAnUnknownUserIsNotFound) {
  EXPECT_EQ(IssueToken(f_.app, "nobody", std::chrono::seconds(60), "ci").status().kind(), ErrorKind::kNotFound);
  auto t = IssueToken(f_.app, "alice", std::chrono::seconds(60), "ci");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Authenticate(f_.app, t->token)->user_id, alice_.id);
}

// The hot read path checks the token's user once per cache lifetime, not on
// every request; with no lifetime left, every request looks again.
class CountingUserLookups : public fakes::FakeMetadataStore {
 public:
  using FakeMetadataStore::FakeMetadataStore;
  Result<User> FindUserById(const std::string& id) override {
    ++lookups;
    return FakeMetadataStore::FindUserById(id);
  }
  int lookups = 0;
};

TEST_F(AuthTest, UserCacheSavesTheUserLookupOnRepeatedRequests) {
  CountingUserLookups meta{&f_.log};
  User bob{NewId(), "bob", "fake-hash$correct horse", true, f_.clock.Now()};
  ASSERT_TRUE(meta.CreateUser(bob).ok());
  UserCache cache(std::chrono::seconds(60));
  App app = f_.Wire(&meta, nullptr, nullptr);
  app.users = &cache;
  auto token = f_.tokens.Issue(bob, std::chrono::hours(1), "test");
  ASSERT_TRUE(token.ok());
  for (int i = 0; i < 3; ++i) {
    auto caller = Authenticate(app, token->token);
    ASSERT_TRUE(caller.ok());
    EXPECT_EQ(caller->username, "bob");
    EXPECT_TRUE(caller->is_admin);
  }
  EXPECT_EQ(meta.lookups, 1);

  UserCache expired(std::chrono::milliseconds(0));
  app.users = &expired;
  ASSERT_TRUE(Authenticate(app, token->token).ok());
  ASSERT_TRUE(Authenticate(app, token->token).ok());
  EXPECT_EQ(meta.lookups, 3);
}

}  // namespace
}  // namespace arca
