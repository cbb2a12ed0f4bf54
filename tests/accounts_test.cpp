// Users, sessions and the audit trail of intake serve, on a real store with a clock the test moves.
#include "pipeline/dossier/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/dossier_support.h"
#include <sqlite3.h>

namespace intake {
namespace {

using testing::Clock;

std::filesystem::path fresh_db(const std::string& name) { return testing::fresh_db("intake-accounts-test", name); }

std::string sql_text(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  std::string out;
  char* error = nullptr;
  sqlite3_exec(
      db, sql,
      [](void* o, int n, char** v, char**) {
        for (int i = 0; i < n; ++i) *static_cast<std::string*>(o) += std::string(v[i] ? v[i] : "NULL") + "|";
        return 0;
      },
      &out, &error);
  if (error) out = std::string("error: ") + error, sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST(Accounts, ARightPasswordOpensASessionAndEveryWrongOneGetsTheSameAnswer) {
  const auto file = fresh_db("sign-in.db");
  Store store(file);
  Accounts accounts(store);
  ASSERT_FALSE(error_of(accounts.add_user("lan", Role::operator_, "mật khẩu dài đủ", "cli")));
  EXPECT_EQ(std::get<Error>(accounts.add_user("lan", Role::admin, "another long one", "cli")).reason,
            "đã có người dùng 'lan'");
  EXPECT_TRUE(error_of(accounts.add_user("Lan Anh", Role::admin, "another long one", "cli")));
  EXPECT_TRUE(error_of(accounts.add_user("minh", Role::admin, "short", "cli")));

  const auto wrong = accounts.sign_in("lan", "not it at all", "127.0.0.1");
  const auto nobody = accounts.sign_in("ghost", "mật khẩu dài đủ", "127.0.0.1");
  EXPECT_EQ(std::get<Error>(wrong).reason, "Sai tên đăng nhập hoặc mật khẩu.");
  EXPECT_EQ(std::get<Error>(nobody).reason, "Sai tên đăng nhập hoặc mật khẩu.");

  const auto in = accounts.sign_in("lan", "mật khẩu dài đủ", "127.0.0.1");
  ASSERT_FALSE(error_of(in)) << std::get<Error>(in).reason;
  const auto& signed_in = std::get<Accounts::SignedIn>(in);
  EXPECT_EQ(signed_in.token.size(), 64u);
  const auto session = accounts.session(signed_in.token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user, "lan");
  EXPECT_EQ(session->role, Role::operator_);
  EXPECT_EQ(session->csrf, signed_in.session.csrf);
  EXPECT_FALSE(accounts.session(std::string(64, 'a')));
  // The store keeps a hash of the token and an Argon2id hash of the password, neither in clear.
  EXPECT_EQ(sql_text(file, ("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + signed_in.token + "'").c_str()),
            "0|");
  EXPECT_EQ(sql_text(file, "SELECT substr(password_hash, 1, 10) FROM users"), "$argon2id$|");
  accounts.sign_out(signed_in.token, "127.0.0.1");
  EXPECT_FALSE(accounts.session(signed_in.token));
}

TEST(Accounts, SignInsAreThrottledPerUserAndTheWaitIsSaid) {
  Clock clock;
  Store store(fresh_db("throttle.db"), clock);
  Accounts accounts(store);
  accounts.add_user("lan", Role::operator_, "the right password", "cli");
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(error_of(accounts.sign_in("lan", "guess " + std::to_string(i), "10.0.0.9")));
  // Now even the right password is refused, from any address, until the window has passed.
  const auto refused = accounts.sign_in("lan", "the right password", "10.0.0.7");
  ASSERT_TRUE(error_of(refused));
  EXPECT_EQ(std::get<Error>(refused).reason, "Đăng nhập sai quá nhiều lần: vui lòng chờ 15 phút rồi thử lại.");
  clock.t += std::chrono::minutes(16);
  EXPECT_FALSE(error_of(accounts.sign_in("lan", "the right password", "10.0.0.7")));
  std::vector<std::string> actions;
  for (const auto& e : store.audit_of("user:lan")) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"user.add", "sign_in.failed", "sign_in.failed", "sign_in.failed",
                                               "sign_in.failed", "sign_in.failed", "sign_in.throttled", "sign_in"}));
}

// Guesses sent at once on many connections (each its own store handle, as intake serve's HTTP
// threads have): no more of them get a password checked than the limit allows.
TEST(Accounts, GuessesAtOnceCannotAllSlipUnderTheLimit) {
  const auto file = fresh_db("throttle-race.db");
  {
    Store store(file);
    Accounts(store).add_user("lan", Role::operator_, "the right password", "cli");
  }
  constexpr int kGuesses = 12;
  std::atomic<int> checked{0}, throttled{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i)
    guessers.emplace_back([&, i] {
      Store store(file);
      const auto r = Accounts(store).sign_in("lan", "guess " + std::to_string(i), "10.0.0.9");
      if (std::get<Error>(r).reason == "Sai tên đăng nhập hoặc mật khẩu.") ++checked;
      else ++throttled;
    });
  for (auto& t : guessers) t.join();
  EXPECT_EQ(checked + throttled, kGuesses);
  EXPECT_LE(checked.load(), SessionPolicy{}.user_failures);
}

TEST(Accounts, ASessionEndsWhenIdleAfterAWorkingDayAndWhenItsUserIsDisabled) {
  Clock clock;
  Store store(fresh_db("expiry.db"), clock);
  Accounts accounts(store);
  accounts.add_user("lan", Role::operator_, "the right password", "cli");
  auto token = [&] { return std::get<Accounts::SignedIn>(accounts.sign_in("lan", "the right password", "a")).token; };

  const auto idle = token();
  clock.t += std::chrono::minutes(29);
  EXPECT_TRUE(accounts.session(idle));  // touched: the idle time starts again
  clock.t += std::chrono::minutes(29);
  EXPECT_TRUE(accounts.session(idle));
  clock.t += std::chrono::minutes(31);
  EXPECT_FALSE(accounts.session(idle));

  const auto busy = token();
  for (int i = 0; i < 12 * 3 - 1; ++i) {
    clock.t += std::chrono::minutes(20);
    ASSERT_TRUE(accounts.session(busy)) << i;
  }
  clock.t += std::chrono::minutes(21);
  EXPECT_FALSE(accounts.session(busy));  // 12 hours, however busy

  const auto live = token();
  ASSERT_FALSE(error_of(accounts.set_disabled("lan", true, "admin")));
  EXPECT_FALSE(accounts.session(live));
  EXPECT_TRUE(error_of(accounts.sign_in("lan", "the right password", "a")));
}

TEST(Accounts, TheAuditTrailIsAppendOnly) {
  const auto file = fresh_db("audit.db");
  {
    Store store(file);
    Accounts(store).add_user("lan", Role::operator_, "the right password", "cli");
  }
  EXPECT_EQ(sql_text(file, "UPDATE audit SET actor = 'someone else'"), "error: the audit trail is append-only");
  EXPECT_EQ(sql_text(file, "DELETE FROM audit"), "error: the audit trail is append-only");
  EXPECT_EQ(sql_text(file, "SELECT actor, action, object, new_value FROM audit"), "cli|user.add|user:lan|operator|");
}

TEST(Accounts, TheLastActiveAdminCannotBeDemotedOrDisabled) {
  Store store(fresh_db("last-admin.db"));
  Accounts accounts(store);
  accounts.add_user("quantri", Role::admin, "the right password", "cli");
  accounts.add_user("lan", Role::operator_, "the right password", "cli");
  EXPECT_TRUE(error_of(accounts.set_role("quantri", Role::operator_, "quantri")));
  EXPECT_TRUE(error_of(accounts.set_disabled("quantri", true, "quantri")));
  // With a second admin, either may go; then the other is the last.
  ASSERT_FALSE(error_of(accounts.set_role("lan", Role::admin, "quantri")));
  EXPECT_FALSE(error_of(accounts.set_role("quantri", Role::operator_, "lan")));
  EXPECT_TRUE(error_of(accounts.set_disabled("lan", true, "lan")));
  EXPECT_EQ(accounts.user("lan")->role, Role::admin);
  EXPECT_FALSE(accounts.user("lan")->disabled);
}

}  // namespace intake
