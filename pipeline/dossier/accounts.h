// Accounts: who may use intake serve, and how they prove it. Users with one role each
// (mailroom, operator, admin; an admin can do all), passwords hashed with Argon2id (libsodium's
// crypto_pwhash_str), server-side sessions kept in the store (only a hash of the token: a copy of
// the database opens no session), idle and absolute expiry, and sign-in throttling per user and
// per address. Every change to a user goes into the audit trail (pipeline/dossier/audit.h).
//
// An Accounts works on one Store, so it is used from that store's thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/dossier/store.h"
#include "pipeline/error.h"

namespace intake {

enum class Role { mailroom, operator_ /* "operator" */, admin };
std::string_view name_of(Role r);
std::optional<Role> parse_role(std::string_view s);
// What a role may do: an admin can do all, the others only their own.
inline bool may(Role who, Role needed) { return who == Role::admin || who == needed; }

struct User {
  std::string name;
  Role role = Role::operator_;
  bool disabled = false;
  std::string created_at;
};

struct Session {
  std::string user;
  Role role = Role::operator_;
  std::string csrf;  // the token every state-changing request must carry
};

struct SessionPolicy {
  std::chrono::seconds idle{30 * 60};           // no request for this long: signed out
  std::chrono::seconds absolute{12 * 60 * 60};  // however active: signed out after a working day
  int user_failures = 5;                        // failed sign-ins per user in `window`
  int address_failures = 20;                    // ... per address
  std::chrono::seconds window{15 * 60};
};

class Accounts {
 public:
  explicit Accounts(Store& store, SessionPolicy policy = {});

  // Names: 2-32 of a-z 0-9 . _ -; passwords: at least 10 characters. `actor` is who did it.
  Result<User> add_user(const std::string& name, Role role, const std::string& password, const std::string& actor);
  Result<User> set_password(const std::string& name, const std::string& password, const std::string& actor);
  // Disabling a user also ends their sessions.
  Result<User> set_disabled(const std::string& name, bool disabled, const std::string& actor);
  Result<User> set_role(const std::string& name, Role role, const std::string& actor);
  std::optional<User> user(const std::string& name);
  std::vector<User> users();

  struct SignedIn {
    std::string token;  // the cookie's value: 32 random bytes, hex
    Session session;
  };
  // Refused with one message whatever was wrong (no such user, wrong password, disabled), or
  // with the wait when throttled; each attempt is audited.
  Result<SignedIn> sign_in(const std::string& name, const std::string& password, const std::string& address);
  // The session of a token, touched; nothing when unknown, expired (then deleted) or its user
  // disabled.
  std::optional<Session> session(const std::string& token);
  void sign_out(const std::string& token, const std::string& address);

 private:
  std::int64_t now_s() const;
  bool last_admin(const User& u);  // an active admin, and no other is
  Result<User> change(const std::string& name, const std::string& actor, const std::string& action,
                      const std::string& old_value, const std::string& new_value, const char* sql,
                      const std::string& arg);

  Store& store_;
  const SessionPolicy policy_;
};

// Argon2id (libsodium's interactive limits, its own salt), as a self-describing string.
std::string hash_password(const std::string& password);
// `bytes` random bytes (libsodium; sodium_init() first) as lower-case hex: tokens and ids.
std::string random_hex(std::size_t bytes);
bool check_password(const std::string& hash, const std::string& password);

}  // namespace intake
