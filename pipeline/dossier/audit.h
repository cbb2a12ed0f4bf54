// The audit trail: every change anyone makes in intake serve (a field value, a page type, a split,
// merge or move, a lifecycle change, a confirmation, a rejection, a config change, a user change),
// every sign-in, and every opening of a dossier (its records hold personal data: Decree
// 13/2023/ND-CP). Who, when, what, the old and the new value. Append-only: the store's triggers
// refuse an UPDATE or DELETE of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace intake {

struct AuditEntry {
  std::int64_t id = 0;
  std::string at;      // ISO 8601 with offset; empty: now
  std::string actor;   // a user name, or "intake" / "cli"
  std::string action;  // "sign_in", "open", "set_field", "confirm", "user.add", ...
  std::string object;  // "dossier:CODE", "user:NAME", "config"
  std::optional<std::string> old_value, new_value;
  std::string address;  // the client's address, when it came over HTTP
};

}  // namespace intake
