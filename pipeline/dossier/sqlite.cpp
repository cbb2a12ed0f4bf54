#include "pipeline/dossier/sqlite.h"

#include <cerrno>
#include <cstring>

#include <sqlite3.h>

namespace intake {
namespace {

// SQLite's message, or what the user must know: a full disk shows in SQLite as "disk I/O
// error" (or "database or disk is full") with ENOSPC underneath.
std::string describe(sqlite3* db, std::string message) {
  if (!db) return message;
  const int code = sqlite3_extended_errcode(db) & 0xff;
  const int os = sqlite3_system_errno(db);
  if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) && (os == ENOSPC || os == EDQUOT))
    return "the disk is full (" + std::string(std::strerror(os)) +
           "): free some space and run the same command again; nothing committed was lost";
  if (code == SQLITE_FULL) return message + ": free some space and run the same command again";
  return message;
}

}  // namespace

Db::Db(const std::filesystem::path& path) : path_(path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? describe(db_, sqlite3_errmsg(db_)) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(path.string() + ": cannot open store: " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
}

Db::~Db() { sqlite3_close(db_); }

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = describe(db_, err ? err : "unknown error");
    sqlite3_free(err);
    throw StoreError(path_.string() + ": " + msg + " (in: " + std::string(sql.substr(0, 80)) + ")");
  }
}

void Db::fail(std::string_view what) {
  throw StoreError(path_.string() + ": " + std::string(what) + ": " + describe(db_, sqlite3_errmsg(db_)));
}

Statement::Statement(Db& db, std::string_view sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v2(db.handle(), sql_.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
    db.fail("cannot prepare '" + sql_.substr(0, 60) + "'");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::bind(int i, std::nullopt_t) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind(i, std::nullopt);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  sqlite3_reset(stmt_);
  db_.fail("statement failed '" + sql_.substr(0, 60) + "'");
}

void Statement::reset() { sqlite3_reset(stmt_); }

std::string Statement::text(int c) const {
  const auto* p = sqlite3_column_text(stmt_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : std::string();
}
std::optional<std::string> Statement::optional_text(int c) const {
  if (sqlite3_column_type(stmt_, c) == SQLITE_NULL) return std::nullopt;
  return text(c);
}
int64_t Statement::integer(int c) const { return sqlite3_column_int64(stmt_, c); }

}  // namespace intake
