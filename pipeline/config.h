// Config: everything an administrator tunes, loaded once from a YAML file (configs/*.yaml).
//
// The runtime's own settings (transport, and where each page stage's workers run) and the
// service's (store, agency, calendar) are plain structs here. Each stage owns its section: the
// stage registry (stages/registry.h) hands load_config() a SectionSpec per section, whose
// parse() reads and checks its keys with a ConfigSection; the result is kept opaque here and
// read back by the stage with Config::section<T>(name). Unknown keys and bad values are a
// ConfigError naming the file and the key, so a typo in a config never passes silently.
// A Config is immutable after loading and safe to share.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "pipeline/error.h"

namespace intake {

// Reads the keys of one YAML mapping into struct fields, remembering which keys it knows, so
// that finish() can reject the ones it does not. Every error names the file and the key path.
class ConfigSection {
 public:
  ConfigSection(const YAML::Node& node, std::string path, std::filesystem::path file);

  template <typename T>
  ConfigSection& get(const std::string& key, T& out) {
    known_.insert(key);
    if (!node_ || node_.IsNull()) return *this;
    const YAML::Node value = node_[key];
    if (!value) return *this;
    try {
      out = value.as<T>();
    } catch (const YAML::Exception&) {
      fail(key, "has the wrong type");
    }
    return *this;
  }
  // A nested mapping (marks the key known).
  YAML::Node child(const std::string& key);
  // Rejects the keys nobody asked for.
  void finish() const;
  // `key` is relative to this section.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  void require(bool ok, const std::string& key, const std::string& what) const {
    if (!ok) fail(key, what);
  }
  const std::string& path() const { return path_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  YAML::Node node_;
  std::string path_;
  std::filesystem::path file_;
  std::set<std::string> known_;
};

// Parses a YAML file an administrator edits; ConfigError "FILE: cannot open WHAT" or
// "FILE: not valid YAML: ..." otherwise.
YAML::Node load_yaml_file(const std::filesystem::path& file, const std::string& what);

// Where a page stage's workers run and how many.
struct StageRuntime {
  int workers = 1;           // worker threads per process
  int processes = 1;         // tcp + launch=process: how many `intake stage` processes to start
  std::string endpoint;      // where the coordinator hands out this stage's work
};

struct StoreConfig {
  std::string path = "data/intake.db";
  std::string quarantine_dir = "quarantine";  // relative: next to the store file
};

struct TransportConfig {
  std::string kind = "inproc";     // inproc: threads of one process; tcp: separate processes
  std::string launch = "process";  // tcp only: "process" starts `intake stage` children, "external" waits
  std::string results = "inproc://intake/results";  // where workers return pages
  int max_in_flight = 0;           // 0: 2 x all workers
  int stage_timeout_s = 600;       // a page not back from a stage in this time is dispatched again
  int max_attempts = 3;            // failed dispatches of a page (its worker died or stalled) before quarantine
  std::string keys;                // tcp: CURVE key folder (intake keys generate); empty with launch:
                                   // process: fresh keys at each run (pipeline/curve.h)
  bool insecure = false;           // tcp without CURVE: allowed only on 127.0.0.1
};

struct AgencyConfig {
  std::string code = "000.00.00.H38";  // unit code of the receiving body: AGENCY in dossier codes
  std::string name = "UBND xã Tân Phú";  // printed on receipt slips
};

// What a stage's section parses into, kept opaque by the Config (see Config::section).
struct SectionValue {
  virtual ~SectionValue() = default;
};
template <typename T>
struct SectionOf final : SectionValue {
  explicit SectionOf(T v) : value(std::move(v)) {}
  T value;
};

// A section owned by a stage (or another part of stages/: ingest, assemble).
struct SectionSpec {
  std::string name;         // "ocr"
  bool page_stage = false;  // a step of the page pipeline: keys under stages.NAME, beside its
                            // workers/processes/endpoint, in pipeline order
  // Reads and checks the section's keys (an empty node gives the defaults).
  std::function<std::shared_ptr<const SectionValue>(ConfigSection&)> parse;

  template <typename T>
  static SectionSpec of(std::string name, bool page_stage, std::function<void(ConfigSection&, T&)> read) {
    return {std::move(name), page_stage, [read = std::move(read)](ConfigSection& s) {
              T value;
              read(s, value);
              return std::make_shared<const SectionOf<T>>(std::move(value));
            }};
  }
};

struct Config {
  std::filesystem::path file;      // where it was loaded from (empty: defaults)
  std::filesystem::path base_dir;  // relative paths in the config resolve against this
  TransportConfig transport;
  StoreConfig store;
  AgencyConfig agency;
  std::string calendar = "configs/calendar.yaml";  // working-day calendar for due dates
  std::vector<std::string> stages;                 // the page stages in pipeline order
  std::map<std::string, StageRuntime> runtime;     // per page stage
  std::map<std::string, std::shared_ptr<const SectionValue>> sections;  // per stage-owned section

  std::filesystem::path resolve(const std::string& path) const;

  // A stage-owned section as parsed; throws std::logic_error when no section of that name and
  // type was registered (a programmer error).
  template <typename T>
  const T& section(const std::string& name) const {
    auto it = sections.find(name);
    const auto* v = it == sections.end() ? nullptr : dynamic_cast<const SectionOf<T>*>(it->second.get());
    if (!v) throw std::logic_error("config has no section '" + name + "' of type " + typeid(T).name());
    return v->value;
  }
  // Replaces a section (tests, and tools that adjust a loaded config).
  template <typename T>
  void set_section(const std::string& name, T value) {
    sections[name] = std::make_shared<const SectionOf<T>>(std::move(value));
  }
};

// The defaults of every section, as if from an empty file.
Config default_config(const std::vector<SectionSpec>& sections);
Config load_config(const std::filesystem::path& file, const std::vector<SectionSpec>& sections);  // throws ConfigError

}  // namespace intake
