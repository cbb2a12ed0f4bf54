#include "pipeline/web/config_desk.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/calendar.h"
#include "pipeline/dossier/catalog.h"
#include "pipeline/env.h"
#include "stages/classify.h"
#include "stages/extract.h"
#include "stages/provinces.h"
#include "stages/sections.h"

namespace intake::web {
namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A textarea sends CRLF line ends; the files keep LF.
std::string unix_lines(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

void write_or_throw(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  Env::real().write_file(file, text, ec);
  if (ec) throw std::runtime_error(file.string() + ": cannot write: " + ec.message());
}

}  // namespace

ConfigDesk::ConfigDesk(const Config& config, std::filesystem::path drafts_dir, DryRunRequest corpus, DryRunner runner,
                       std::function<void(const DryRun&)> on_change)
    : config_(config), drafts_(std::move(drafts_dir)), corpus_(std::move(corpus)), runner_(std::move(runner)),
      on_change_(std::move(on_change)) {
  if (config.file.empty()) return;
  files_.push_back({"config", "Cấu hình dây chuyền", std::filesystem::absolute(config.file)});
  files_.push_back({"catalog", "Danh mục thủ tục", config.resolve(config.section<ClassifyConfig>("classify").catalog)});
  files_.push_back({"calendar", "Lịch ngày làm việc", config.resolve(config.calendar)});
}

ConfigDesk::~ConfigDesk() { stop(); }

void ConfigDesk::stop() {
  cancel_ = true;
  std::thread worker;
  {
    std::lock_guard lock(mutex_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

std::map<std::string, std::string> ConfigDesk::texts() const {
  std::map<std::string, std::string> out;
  for (const auto& f : files_) out[f.key] = read_text(f.path);
  return out;
}

Result<std::string> ConfigDesk::start(const std::map<std::string, std::string>& given, const std::string& by,
                                      const std::string& now) {
  if (files_.empty()) return Error{"intake serve chạy với cấu hình mặc định, không có tệp nào để sửa"};
  if (!runner_) return Error{"máy chủ này không chạy thử được (không có intake eval)"};
  std::map<std::string, std::string> candidate;
  for (const auto& f : files_) {
    const auto it = given.find(f.key);
    if (it == given.end()) return Error{f.key + ": thiếu nội dung"};
    candidate[f.key] = unix_lines(it->second);
  }
  const auto base = texts();
  if (candidate == base) return Error{"bản thử giống hệt cấu hình hiện tại: không có gì để chạy thử"};
  {
    std::lock_guard lock(mutex_);
    if (running_) return Error{"đang có một lượt chạy thử: chờ nó xong hoặc bỏ nó"};
  }

  const std::string id = random_hex(6);  // the routes take 12 hex digits
  const auto dir = drafts_ / id;
  const auto draft = [&](const std::string& key) { return dir / (key + ".yaml"); };
  // Messages name the admin's files, not the drafts.
  const auto named = [&](std::string message) {
    for (const auto& f : files_) message = replace_all(message, draft(f.key).string(), f.path.string());
    return message;
  };
  DryRunRequest request = corpus_;
  try {
    for (const auto& [key, text] : candidate) write_or_throw(draft(key), text);
    // The same checks as at start-up, on the candidate's files.
    Config checked = load_intake_config(draft("config"));
    checked.base_dir = config_.base_dir;
    Catalog::load(draft("catalog"));
    WorkingCalendar::load(draft("calendar"));
    ClassifyWeights::load(checked.resolve(checked.section<ClassifyConfig>("classify").weights));
    Provinces::load(checked.resolve(checked.section<ExtractConfig>("extract").provinces));

    // The config the dry run uses: the candidate's text, with its catalog and calendar the drafts.
    YAML::Node root = YAML::Load(candidate.at("config"));
    root["calendar"] = draft("calendar").string();
    const YAML::Node stages = root["stages"];
    if (stages && stages.IsMap() && stages["classify"] && stages["classify"].IsMap()) {
      YAML::Node classify = root["stages"]["classify"];
      classify["catalog"] = draft("catalog").string();
    }
    YAML::Emitter out;
    out << root;
    write_or_throw(dir / "run.yaml", std::string(out.c_str()) + "\n");
  } catch (const ConfigError& e) {
    std::filesystem::remove_all(dir);
    return Error{named(e.what())};
  } catch (const YAML::Exception& e) {
    std::filesystem::remove_all(dir);
    return Error{files_.front().path.string() + ": not valid YAML: " + e.what()};
  } catch (const std::exception& e) {
    std::filesystem::remove_all(dir);
    return Error{named(e.what())};
  }
  request.current_config = files_.front().path;
  request.candidate_config = dir / "run.yaml";
  request.root = config_.base_dir;
  request.out_dir = dir / "eval";

  DryRun run{id, by, now, "running", "", candidate, base, nlohmann::json(), dir};
  std::thread previous;
  {
    std::lock_guard lock(mutex_);
    if (running_) return Error{"đang có một lượt chạy thử: chờ nó xong hoặc bỏ nó"};
    running_ = true;
    cancel_ = false;
    runs_[id] = run;
    order_.push_back(id);
    previous = std::move(worker_);
    worker_ = std::thread([this, id, request] { run_one(id, request); });
  }
  if (previous.joinable()) previous.join();  // finished: running_ was false
  if (on_change_) on_change_(run);
  return id;
}

void ConfigDesk::run_one(std::string id, DryRunRequest request) {
  nlohmann::json result;
  std::string error;
  try {
    result = runner_(request, cancel_);
  } catch (const std::exception& e) {
    error = e.what();
    spdlog::warn("config dry run {}: {}", id, error);
  }
  const bool cancelled = cancel_;
  set(id, [&](DryRun& r) {
    if (cancelled) r.state = "discarded";
    else if (error.empty()) r.state = "done", r.result = std::move(result);
    else r.state = "failed", r.error = error;
  });
  std::lock_guard lock(mutex_);
  running_ = false;
}

void ConfigDesk::set(const std::string& id, const std::function<void(DryRun&)>& change) {
  DryRun copy;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(id);
    if (it == runs_.end()) return;
    change(it->second);
    copy = it->second;
  }
  if (on_change_) on_change_(copy);
}

std::optional<DryRun> ConfigDesk::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = runs_.find(id);
  if (it == runs_.end()) return std::nullopt;
  return it->second;
}

std::vector<DryRun> ConfigDesk::all() const {
  std::lock_guard lock(mutex_);
  std::vector<DryRun> out;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) out.push_back(runs_.at(*it));
  return out;
}

Result<std::vector<AppliedFile>> ConfigDesk::apply(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = runs_.find(id);
  if (it == runs_.end()) return Error{"không có lượt chạy thử này (máy chủ đã khởi động lại?)"};
  DryRun& run = it->second;
  if (run.state != "done") return Error{"chỉ áp dụng được một lượt chạy thử đã xong"};
  if (texts() != run.base)
    return Error{"các tệp cấu hình đã bị đổi từ lúc chạy thử (có người khác đã áp dụng?): hãy chạy thử lại"};
  std::vector<AppliedFile> written;
  // The data files first: the config that names them last.
  for (const char* key : {"catalog", "calendar", "config"}) {
    const auto f = std::find_if(files_.begin(), files_.end(), [&](const DeskFile& d) { return d.key == key; });
    if (f == files_.end() || run.candidate.at(key) == run.base.at(key)) continue;
    try {
      write_or_throw(f->path, run.candidate.at(key));
    } catch (const std::exception& e) {
      std::string done;
      for (const auto& w : written) done += " " + w.path.string();
      return Error{std::string(e.what()) + (done.empty() ? "" : "; đã ghi:" + done)};
    }
    written.push_back({f->path, run.base.at(key), run.candidate.at(key)});
  }
  run.state = "applied";
  return written;
}

Result<bool> ConfigDesk::discard(const std::string& id) {
  std::string state;
  {
    std::lock_guard lock(mutex_);
    const auto it = runs_.find(id);
    if (it == runs_.end()) return Error{"không có lượt chạy thử này"};
    state = it->second.state;
    if (state == "applied" || state == "discarded") return Error{"lượt chạy thử này đã được xử lý"};
    if (state == "running") {
      cancel_ = true;  // the run marks itself discarded when it stops
      return true;
    }
    it->second.state = "discarded";
  }
  if (const auto run = find(id)) {
    std::error_code ec;
    std::filesystem::remove_all(run->dir, ec);
    if (on_change_) on_change_(*run);
  }
  return true;
}

std::vector<std::string> line_diff(const std::string& before, const std::string& after, int context) {
  const auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const auto a = lines(before), b = lines(after);
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::string> ops;  // in order
  if (n * m > 4'000'000) {
    for (const auto& l : a) ops.push_back("- " + l);
    for (const auto& l : b) ops.push_back("+ " + l);
  } else {
    // Longest common subsequence, from the ends.
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] == b[j]) ops.push_back("  " + a[i]), ++i, ++j;
      else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push_back("- " + a[i++]);  // removed first
      else ops.push_back("+ " + b[j++]);
    }
  }
  // Keep `context` unchanged lines around each change.
  std::vector<bool> keep(ops.size(), false);
  for (std::size_t k = 0; k < ops.size(); ++k)
    if (ops[k][0] != ' ')
      for (std::size_t x = k >= static_cast<std::size_t>(context) ? k - context : 0;
           x < std::min(ops.size(), k + context + 1); ++x)
        keep[x] = true;
  std::vector<std::string> out;
  bool skipped = false;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (keep[k]) {
      out.push_back(ops[k]);
      skipped = false;
    } else if (!skipped) {
      out.emplace_back("…");
      skipped = true;
    }
  }
  return out;
}

}  // namespace intake::web
