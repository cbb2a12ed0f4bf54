// Catalog: the administrative procedures (models/procedures.yaml) and how strongly a page's
// text points to each. Loaded once, immutable, thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace intake {

struct Keyword {
  std::string folded;  // text::fold of the keyword
  double weight = 1;
};

struct Procedure {
  std::string id;
  std::optional<std::string> code;  // national code; null while unconfirmed
  std::string name;
  std::string department;
  int working_days = 0;
  std::vector<std::string> required_documents;
  std::vector<Keyword> keywords;
};

class Catalog {
 public:
  static Catalog load(const std::filesystem::path& file);  // throws ConfigError naming file and entry

  const std::vector<Procedure>& procedures() const { return procedures_; }
  const Procedure* find(const std::string& id) const;
  const std::map<std::string, std::string>& departments() const { return departments_; }
  // Keyword score per procedure id for a text (each keyword counts once); ids scoring 0 omitted.
  std::map<std::string, double> score(const std::string& text) const;

 private:
  std::vector<Procedure> procedures_;
  std::map<std::string, std::string> departments_;
};

}  // namespace intake
