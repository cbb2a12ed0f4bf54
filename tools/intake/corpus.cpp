#include "tools/intake/corpus.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>

#include "pipeline/text.h"

extern char** environ;

namespace intake {
namespace {

// Ground truth is intake.dossier/1 with what is known only after a run left out (batch_id and
// received_at null; skew_deg, unread_barcodes, ocr_confidence absent: docs/record-schema.md):
// those are filled with neutral values so that the truth reads through the record's one mapping.
DossierRecord truth_record(nlohmann::json j) {
  if (!j.is_object()) throw RecordError("record: not a JSON object");
  for (const char* key : {"batch_id", "received_at"})
    if (!j.contains(key) || j[key].is_null()) j[key] = "";
  if (j.contains("pages") && j["pages"].is_array())
    for (auto& p : j["pages"]) {
      if (!p.is_object()) continue;
      if (!p.contains("skew_deg")) p["skew_deg"] = 0;
      if (!p.contains("unread_barcodes")) p["unread_barcodes"] = 0;
      if (!p.contains("ocr_confidence")) p["ocr_confidence"] = nullptr;
    }
  return dossier_from_json(j);
}

std::vector<DossierRecord> read_truth(const std::filesystem::path& file) {
  std::vector<DossierRecord> out;
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      out.push_back(truth_record(nlohmann::json::parse(line)));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": not JSON: " + e.what());
    } catch (const RecordError& e) {
      throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  return out;
}

TruthBatch load_batch(const std::filesystem::path& dir, const nlohmann::json& manifest_batch) {
  TruthBatch b;
  b.dir = dir;
  b.name = dir.filename().string();
  b.dossiers = read_truth(dir / "truth.jsonl");
  if (std::filesystem::exists(dir / "separators.json")) {
    std::ifstream in(dir / "separators.json");
    for (const auto& s : nlohmann::json::parse(in)) b.separators.push_back(s.at("number").get<int>());
  }
  // Degradation labels from the manifest, when there is one.
  for (const auto& p : manifest_batch.value("pages", nlohmann::json::array())) {
    if (!p.contains("number")) continue;
    auto& labels = b.conditions[p["number"].get<int>()];
    for (const auto& [key, value] : p.items()) {
      if (key == "number" || key == "file" || key == "source_file" || key == "source_page") continue;
      if (value.is_number_integer() || value.is_string() || value.is_boolean())
        labels.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
      else if (value.is_number_float() && key.find("skew") != std::string::npos)
        labels.push_back(key + (std::abs(value.get<double>()) <= 3 ? "<=3" : ">3"));
    }
  }
  return b;
}

}  // namespace

std::filesystem::path program_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path(); }

std::vector<TruthBatch> load_truth_batches(const std::filesystem::path& input) {
  if (!std::filesystem::is_directory(input)) throw std::runtime_error(input.string() + ": not a directory");
  nlohmann::json manifest = nlohmann::json::object();
  if (std::filesystem::exists(input / "manifest.json")) {
    std::ifstream in(input / "manifest.json");
    manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded()) throw std::runtime_error((input / "manifest.json").string() + ": not JSON");
  }
  auto manifest_for = [&](const std::string& name) {
    for (const auto& b : manifest.value("batches", nlohmann::json::array()))
      if (b.value("name", b.value("dir", "")) == name) return b;
    return nlohmann::json::object();
  };
  std::vector<TruthBatch> out;
  if (std::filesystem::exists(input / "truth.jsonl")) {
    out.push_back(load_batch(input, manifest_for(input.filename().string())));
    return out;
  }
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(input))
    if (e.is_directory() && std::filesystem::exists(e.path() / "truth.jsonl")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) {
    return text::natural_less(a.filename().string(), b.filename().string());
  });
  for (const auto& d : dirs) out.push_back(load_batch(d, manifest_for(d.filename().string())));
  if (out.empty()) throw std::runtime_error(input.string() + ": no batch with a truth.jsonl");
  return out;
}

ChildRun run_child(const std::vector<std::string>& args, const std::filesystem::path& output_log,
                   const std::atomic<bool>* cancel) {
  ChildRun r;
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return r;
  int status = 0;
  rusage usage{};
  bool signalled = false;
  for (;;) {
    const pid_t got = wait4(pid, &status, cancel ? WNOHANG : 0, &usage);
    if (got == pid) break;
    if (got < 0 && errno != EINTR) return r;
    if (cancel && *cancel && !signalled) kill(pid, SIGTERM), signalled = true;
    if (cancel) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.max_rss_kib = usage.ru_maxrss;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void generate_corpus(const std::filesystem::path& out, const std::string& profile, int pages, int seed) {
  const std::string key = profile + "/" + std::to_string(pages) + "/" + std::to_string(seed);
  const auto stamp = out / ".intake-corpus";
  if (std::filesystem::exists(stamp)) {
    std::ifstream in(stamp);
    std::string have;
    std::getline(in, have);
    if (have == key) return;
  }
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out);
  const auto generator = program_dir() / "intake-samplegen";
  const auto run = run_child({generator.string(), "--corpus", "--profile", profile, "--pages", std::to_string(pages),
                              "--seed", std::to_string(seed), "--out", out.string()},
                             out.parent_path() / "samplegen.log");
  if (run.status != 0)
    throw std::runtime_error("corpus generator failed (" + generator.string() + "), see " +
                             (out.parent_path() / "samplegen.log").string());
  std::ofstream(stamp) << key << '\n';
}

}  // namespace intake
