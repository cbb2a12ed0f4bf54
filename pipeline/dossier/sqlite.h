// A thin RAII owner of a SQLite connection and its prepared statements. Errors become
// StoreError naming the statement and SQLite's message. One Db per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace intake {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Db;

class Statement {
 public:
  Statement(Db& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const std::optional<std::string>& value);
  // Advances; true while a row is available.
  bool step();
  void run() { while (step()) {} }
  // Ready to run again (needed after reading rows without stepping to the end).
  void reset();
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  int64_t integer(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

class Db {
 public:
  explicit Db(const std::filesystem::path& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail(std::string_view what);

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back if fn throws.
  template <typename Fn>
  void transaction(Fn&& fn) {
    exec("BEGIN IMMEDIATE");
    try {
      fn();
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace intake
