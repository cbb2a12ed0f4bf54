#include "pipeline/dossier/accounts.h"

#include <algorithm>
#include <array>
#include <regex>

#include <sodium.h>

#include "pipeline/hash.h"

namespace intake {
namespace {

constexpr std::array<std::string_view, 3> kRoles{"mailroom", "operator", "admin"};
constexpr std::size_t kMinPassword = 10;

bool good_name(const std::string& name) {
  static const std::regex pattern("[a-z0-9._-]{2,32}");
  return std::regex_match(name, pattern);
}

void start_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not start");
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

std::string_view name_of(Role r) { return kRoles[static_cast<std::size_t>(r)]; }

std::optional<Role> parse_role(std::string_view s) {
  const auto it = std::find(kRoles.begin(), kRoles.end(), s);
  if (it == kRoles.end()) return std::nullopt;
  return static_cast<Role>(it - kRoles.begin());
}

std::string hash_password(const std::string& password) {
  start_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool check_password(const std::string& hash, const std::string& password) {
  start_sodium();
  return hash.size() < crypto_pwhash_STRBYTES &&
         crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Accounts::Accounts(Store& store, SessionPolicy policy) : store_(store), policy_(policy) { start_sodium(); }

std::int64_t Accounts::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(store_.env_->wall_now().time_since_epoch()).count();
}

Result<User> Accounts::add_user(const std::string& name, Role role, const std::string& password,
                                const std::string& actor) {
  if (!good_name(name)) return Error{"tên đăng nhập gồm 2 đến 32 ký tự a-z, 0-9, '.', '_' và '-'"};
  if (password.size() < kMinPassword) return Error{"mật khẩu cần ít nhất 10 ký tự"};
  if (user(name)) return Error{"đã có người dùng '" + name + "'"};
  const std::string hash = hash_password(password);
  store_.db_.transaction([&] {
    Statement(store_.db_, "INSERT INTO users(name, role, password_hash, created_at) VALUES(?, ?, ?, ?)")
        .bind(1, name)
        .bind(2, name_of(role))
        .bind(3, hash)
        .bind(4, store_.now())
        .run();
    store_.append_audit({0, "", actor, "user.add", "user:" + name, std::nullopt, std::string(name_of(role)), ""});
  });
  return *user(name);
}

Result<User> Accounts::change(const std::string& name, const std::string& actor, const std::string& action,
                              const std::string& old_value, const std::string& new_value, const char* sql,
                              const std::string& arg) {
  if (!user(name)) return Error{"không có người dùng '" + name + "'"};
  store_.db_.transaction([&] {
    Statement(store_.db_, sql).bind(1, arg).bind(2, name).run();
    store_.append_audit({0, "", actor, action, "user:" + name, old_value, new_value, ""});
  });
  return *user(name);
}

Result<User> Accounts::set_password(const std::string& name, const std::string& password, const std::string& actor) {
  if (password.size() < kMinPassword) return Error{"mật khẩu cần ít nhất 10 ký tự"};
  // The hashes are not audited: that the password changed is.
  auto done = change(name, actor, "user.passwd", "", "", "UPDATE users SET password_hash = ? WHERE name = ?",
                     hash_password(password));
  if (!error_of(done)) Statement(store_.db_, "DELETE FROM sessions WHERE user = ?").bind(1, name).run();
  return done;
}

Result<User> Accounts::set_disabled(const std::string& name, bool disabled, const std::string& actor) {
  const auto before = user(name);
  if (!before) return Error{"không có người dùng '" + name + "'"};
  if (disabled && last_admin(*before))
    return Error{"'" + name + "' là quản trị viên cuối cùng còn hoạt động: hãy tạo một quản trị viên khác trước"};
  auto done =
      change(name, actor, disabled ? "user.disable" : "user.enable", before->disabled ? "disabled" : "enabled",
             disabled ? "disabled" : "enabled", "UPDATE users SET disabled = ? WHERE name = ?", disabled ? "1" : "0");
  if (disabled) Statement(store_.db_, "DELETE FROM sessions WHERE user = ?").bind(1, name).run();
  return done;
}

Result<User> Accounts::set_role(const std::string& name, Role role, const std::string& actor) {
  const auto before = user(name);
  if (!before) return Error{"không có người dùng '" + name + "'"};
  if (role != Role::admin && last_admin(*before))
    return Error{"'" + name + "' là quản trị viên cuối cùng còn hoạt động: hãy tạo một quản trị viên khác trước"};
  return change(name, actor, "user.role", std::string(name_of(before->role)), std::string(name_of(role)),
                "UPDATE users SET role = ? WHERE name = ?", std::string(name_of(role)));
}

bool Accounts::last_admin(const User& u) {
  if (u.role != Role::admin || u.disabled) return false;
  Statement s(store_.db_, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0");
  s.step();
  return s.integer(0) <= 1;
}

std::optional<User> Accounts::user(const std::string& name) {
  Statement s(store_.db_, "SELECT name, role, disabled, created_at FROM users WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  User u{s.text(0), parse_role(s.text(1)).value_or(Role::mailroom), s.integer(2) != 0, s.text(3)};
  s.reset();
  return u;
}

std::vector<User> Accounts::users() {
  Statement s(store_.db_, "SELECT name, role, disabled, created_at FROM users ORDER BY name");
  std::vector<User> out;
  while (s.step())
    out.push_back({s.text(0), parse_role(s.text(1)).value_or(Role::mailroom), s.integer(2) != 0, s.text(3)});
  return out;
}

Result<Accounts::SignedIn> Accounts::sign_in(const std::string& name, const std::string& password,
                                             const std::string& address) {
  const std::int64_t now = now_s();
  const std::int64_t since = now - policy_.window.count();
  auto failures = [&](const std::string& key) {
    Statement s(store_.db_, "SELECT COUNT(*) FROM sign_in_failures WHERE key = ? AND at > ?");
    s.bind(1, key).bind(2, since);
    s.step();
    const auto n = s.integer(0);
    s.reset();
    return n;
  };
  const std::string user_key = "user:" + name, address_key = "address:" + address;
  // The attempt counts as a failure from before the password is checked, in one transaction with
  // the count: sign-ins at once from many connections cannot all slip under the limit. A right
  // password takes it back.
  std::vector<std::int64_t> attempt;  // its rows
  bool throttled = false;
  store_.db_.transaction([&] {
    for (const auto& key : {user_key, address_key}) {
      Statement(store_.db_, "INSERT INTO sign_in_failures(key, at) VALUES(?, ?)").bind(1, key).bind(2, now).run();
      Statement id(store_.db_, "SELECT last_insert_rowid()");
      id.step();
      attempt.push_back(id.integer(0));
    }
    throttled = failures(user_key) > policy_.user_failures || failures(address_key) > policy_.address_failures;
  });
  const auto take_back = [&] {
    for (const auto row : attempt)
      Statement(store_.db_, "DELETE FROM sign_in_failures WHERE rowid = ?").bind(1, row).run();
  };
  if (throttled) {
    take_back();  // a refused attempt does not make the wait longer
    store_.append_audit({0, "", name, "sign_in.throttled", "user:" + name, std::nullopt, std::nullopt, address});
    return Error{"Đăng nhập sai quá nhiều lần: vui lòng chờ " + std::to_string(policy_.window.count() / 60) +
                 " phút rồi thử lại."};
  }
  std::optional<std::string> hash;
  bool disabled = false;
  std::optional<Role> role;
  {
    Statement s(store_.db_, "SELECT password_hash, disabled, role FROM users WHERE name = ?");
    s.bind(1, name);
    if (s.step()) hash = s.text(0), disabled = s.integer(1) != 0, role = parse_role(s.text(2));
    s.reset();
  }
  // The same work and the same answer whether the user exists or not.
  static const std::string kDummy = hash_password("not a password of anyone");
  const bool right = check_password(hash.value_or(kDummy), password) && hash && !disabled && role;
  if (!right) {
    store_.db_.transaction([&] {  // the attempt's rows stay: a failure
      Statement(store_.db_, "DELETE FROM sign_in_failures WHERE at <= ?").bind(1, since).run();
      store_.append_audit({0, "", name, "sign_in.failed", "user:" + name, std::nullopt, std::nullopt, address});
    });
    return Error{"Sai tên đăng nhập hoặc mật khẩu."};
  }
  SignedIn out{random_hex(32), {name, *role, random_hex(16)}};
  store_.db_.transaction([&] {
    Statement(store_.db_,
              "INSERT INTO sessions(token_hash, user, csrf, address, created_at, seen_at) VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, sha256_hex(out.token))
        .bind(2, name)
        .bind(3, out.session.csrf)
        .bind(4, address)
        .bind(5, now)
        .bind(6, now)
        .run();
    Statement(store_.db_, "DELETE FROM sign_in_failures WHERE key = ?").bind(1, user_key).run();
    take_back();
    Statement(store_.db_, "DELETE FROM sessions WHERE seen_at <= ? OR created_at <= ?")
        .bind(1, now - policy_.idle.count())
        .bind(2, now - policy_.absolute.count())
        .run();
    store_.append_audit({0, "", name, "sign_in", "user:" + name, std::nullopt, std::nullopt, address});
  });
  return out;
}

std::optional<Session> Accounts::session(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const std::string key = sha256_hex(token);
  const std::int64_t now = now_s();
  Statement s(store_.db_,
              "SELECT s.user, u.role, s.csrf, s.created_at, s.seen_at, u.disabled FROM sessions s "
              "JOIN users u ON u.name = s.user WHERE s.token_hash = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  Session out{s.text(0), parse_role(s.text(1)).value_or(Role::mailroom), s.text(2)};
  const bool expired =
      s.integer(3) <= now - policy_.absolute.count() || s.integer(4) <= now - policy_.idle.count() || s.integer(5) != 0;
  s.reset();
  if (expired) {
    Statement(store_.db_, "DELETE FROM sessions WHERE token_hash = ?").bind(1, key).run();
    return std::nullopt;
  }
  Statement(store_.db_, "UPDATE sessions SET seen_at = ? WHERE token_hash = ?").bind(1, now).bind(2, key).run();
  return out;
}

void Accounts::sign_out(const std::string& token, const std::string& address) {
  const auto s = session(token);
  Statement(store_.db_, "DELETE FROM sessions WHERE token_hash = ?").bind(1, sha256_hex(token)).run();
  if (s) store_.append_audit({0, "", s->user, "sign_out", "user:" + s->user, std::nullopt, std::nullopt, address});
}

}  // namespace intake
