// intake: the command line of the document-intake pipeline.
//   intake run INPUT... [--config FILE] [--store PATH] [--out records.jsonl] [--stats FILE] [--receipts DIR] [--received YYYY-MM-DDTHH:MM]
//   intake watch DIR [--config FILE] [--store PATH] [--out-dir DIR]
//   intake stage NAME [--config FILE] [--work EP] [--results EP] [--workers N] [--worker-key NAME]
//   intake keys generate DIR | keys add-worker DIR NAME
//   intake show DOSSIER [--store PATH]
//   intake dispatch INPUT... [--at YYYY-MM-DDTHH:MM] [--out dispatches.jsonl] [--store PATH]
//   intake import FILE.jsonl | report --from DATE --to DATE [--as-of DATE] [--format text|csv|html] [--out FILE]
//   intake receipt DOSSIER_CODE [--out FILE.pdf] [--store PATH]
//   intake status DOSSIER_CODE | set-status DOSSIER_CODE STATE [--actor A --note N --at T] | find KEY
//   intake eval [BATCH_OR_CORPUS] [--profile P --pages N --seed S] [--out-dir DIR] [--against CURRENT.yaml] [--root DIR] [--inproc]
//   intake bench [BATCH_OR_CORPUS] [--profile P --pages N --seed S] [--out-dir DIR]
// Exit status: 0 done, 1 usage or configuration error, 2 processing failed, 130 interrupted.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "pipeline/config.h"
#include "pipeline/curve.h"
#include "pipeline/dossier/local_time.h"
#include "pipeline/dossier/store.h"
#include "pipeline/service/batch_service.h"
#include "pipeline/service/hot_folder.h"
#include "pipeline/service/stage_process.h"
#include "pipeline/signals.h"
#include "pipeline/text.h"
#include "stages/registry.h"
#include "tools/intake/commands.h"
#include "tools/intake/dossier_commands.h"
#include "tools/intake/report_command.h"
#include "tools/intake/serve_command.h"
#include "tools/intake/summary.h"

namespace {

using namespace intake;

constexpr int kExitUsage = kExitRefused, kExitFailed = 2, kExitInterrupted = 130;

// No --config: $INTAKE_CONFIG, else configs/default.yaml in the working directory, else the one
// of the source tree this program was built in (build/intake -> configs/default.yaml).
Config config_from(const std::string& file) {
  if (!file.empty()) return load_intake_config(file);
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("INTAKE_CONFIG"); env && *env) return load_intake_config(env);
  candidates.emplace_back("configs/default.yaml");
  std::error_code ec;
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  candidates.push_back(exe_dir.parent_path() / "configs/default.yaml");
  candidates.push_back(exe_dir.parent_path() / "share/intake/configs/default.yaml");
  for (const auto& c : candidates)
    if (std::filesystem::exists(c, ec)) return load_intake_config(c);
  throw ConfigError("no configs/default.yaml here or beside the program; pass --config FILE");
}

// "2026-11-27T09:30" (Asia/Ho_Chi_Minh) -> "2026-11-27T09:30:00+07:00".
std::string parse_received(const std::string& s) {
  const auto t = LocalTime::parse(s);
  if (!t) throw CLI::ValidationError("--received", "expected a real date and time YYYY-MM-DDTHH:MM, got '" + s + "'");
  return t->iso();
}

void write_jsonl(const std::filesystem::path& file, const std::vector<nlohmann::json>& records) {
  std::string lines;
  for (const auto& r : records) lines += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
  write_export(file, lines);
}

// What a batch committed, as its JSON Lines: dossiers (intake.dossier/1) or dispatches.
std::vector<nlohmann::json> committed_json(const BatchOutcome& outcome) {
  std::vector<nlohmann::json> out = outcome.dispatches;
  for (const auto& d : outcome.dossiers) out.push_back(to_json(d));
  return out;
}

// A progress bar on stderr, for a terminal.
BatchListener progress_bar() {
  return [last_done = -1, last_flight = -1](const BatchEvent& e) mutable {
    if (e.kind != BatchEvent::Kind::progress) return;
    const Progress& p = e.progress;
    if (p.done == last_done && p.in_flight == last_flight) return;
    last_done = p.done, last_flight = p.in_flight;
    const int width = 30;
    const int filled = p.total ? p.done * width / p.total : width;
    std::fprintf(stderr, "\r[%s%s] %d/%d pages  in flight %d  quarantined %d ", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), p.done, p.total, p.in_flight, p.quarantined);
    if (p.done == p.total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

BatchListener terminal_listener() { return isatty(STDERR_FILENO) ? progress_bar() : BatchListener{}; }

int cmd_run(const Config& config, const ServiceOptions& options, const BatchRequest& request, const std::string& out,
            const std::string& stats, const std::string& receipts) {
  BatchService service(config, options);
  const BatchOutcome outcome = service.run(request, terminal_listener());
  if (!out.empty() && !outcome.run.interrupted) write_jsonl(out, committed_json(outcome));
  if (!receipts.empty() && !outcome.run.interrupted) write_receipts(config, outcome.dossiers, receipts);
  if (!stats.empty()) {
    write_export(stats, run_stats(outcome.run).dump(2) + '\n');
  }
  print_summary(stdout, outcome);
  return outcome.run.interrupted ? kExitInterrupted : 0;
}

int cmd_dispatch(const Config& config, const ServiceOptions& options, const BatchRequest& request,
                 const std::string& out) {
  BatchService service(config, options);
  const BatchOutcome outcome = service.run(request, terminal_listener());
  if (!out.empty() && !outcome.run.interrupted) write_jsonl(out, committed_json(outcome));
  print_dispatch_summary(stdout, outcome);
  return outcome.run.interrupted ? kExitInterrupted : 0;
}

// A hot folder (pipeline/service/hot_folder.h), until Ctrl-C: one service serves every batch,
// the engines, catalog and calendar loaded once.
int cmd_watch(const Config& config, const ServiceOptions& options, const std::filesystem::path& dir,
              const std::string& out_dir, int settle_s, const std::string& marker) {
  if (!std::filesystem::is_directory(dir)) {
    spdlog::error("{}: not a directory", dir.string());
    return kExitUsage;
  }
  BatchService service(config, options);
  HotFolder hot(service, {dir, std::chrono::seconds(settle_s), marker}, [&](const BatchEvent& e) {
    if (e.kind != BatchEvent::Kind::finished || e.outcome->run.interrupted) return;
    if (!out_dir.empty())
      write_jsonl(std::filesystem::path(out_dir) / (e.outcome->run.batch_id + ".jsonl"), committed_json(*e.outcome));
    print_summary(stdout, *e.outcome);
  });
  while (!stop_requested() && !hot.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  hot.stop();
  return 0;
}

// With why: after each record, why its pages were grouped as they were (intake.explanation/1).
int cmd_show(const std::string& store_path, const std::string& key, bool why) {
  Store store(store_path);
  const auto found = store.find_dossiers(key);
  if (found.empty()) {
    std::cerr << "intake: no dossier '" << key << "' in " << store_path
              << " (give a dossier code, a tracking number or BATCH/N)\n";
    return kExitUsage;
  }
  for (const auto& d : found) {
    std::cout << to_json(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!why) continue;
    const auto explained = d.dossier_code ? store.explanation(*d.dossier_code) : std::nullopt;
    std::cout << (explained
                      ? explained->dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                      : std::string("null  (no explanation: imported, or committed before explanations were kept)"))
              << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // One Tesseract engine per thread and no OpenMP fan-out inside it. libgomp reads the variable
  // when it is loaded, before main(), so setting it here needs a fresh start of the program.
  if (!std::getenv("OMP_THREAD_LIMIT")) {
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then go on, slower
  }
  auto logger = spdlog::stderr_color_mt("intake");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$ %v");
  if (const char* level = std::getenv("INTAKE_LOG"); level) spdlog::set_level(spdlog::level::from_str(level));

  CLI::App app{"intake: turns batch scans of postal dossiers into dossier records"};
  app.require_subcommand(1);
  std::string config_file, store, out, stats, received, work, results, out_dir, receipts;
  std::vector<std::string> inputs;
  int workers = 1, settle_s = 3;
  std::string stage_name, key;
  std::string state, actor = "operator", note, at;

  auto* run = app.add_subcommand("run", "process a batch: a folder of scans (natural file order) or files");
  run->add_option("input", inputs, "folder or files")->required();
  run->add_option("--config", config_file, "pipeline config (default: configs/default.yaml)");
  run->add_option("--store", store, "dossier store (SQLite file; default: the config's)");
  run->add_option("--out", out, "also write the records as JSON Lines");
  run->add_option("--stats", stats, "write the run's timings and queue depths as JSON");
  run->add_option("--receipts", receipts, "write each dossier's receipt slip here, as CODE.pdf");
  run->add_option("--received", received, "when the mail was received, YYYY-MM-DDTHH:MM, Asia/Ho_Chi_Minh (default: now)");

  auto* watch = app.add_subcommand("watch", "process batches as they land in a scanner's hot folder");
  watch->add_option("dir", inputs, "hot folder")->required()->expected(1);
  watch->add_option("--config", config_file, "pipeline config");
  watch->add_option("--store", store, "dossier store");
  watch->add_option("--out-dir", out_dir, "write BATCH.jsonl here for each batch");
  watch->add_option("--settle", settle_s, "seconds a batch must stay unchanged before it is taken")->check(CLI::Range(1, 3600));
  std::string marker;
  watch->add_option("--marker", marker, "take a folder only once it holds this file (written by the scanner last)");

  auto* stage = app.add_subcommand("stage", "run workers of one stage (tcp transport)");
  stage->add_option("name", stage_name, "preprocess | barcode | ocr | classify | extract")->required();
  stage->add_option("--config", config_file, "pipeline config");
  stage->add_option("--work", work, "endpoint to take pages from (default: the config's)");
  stage->add_option("--results", results, "endpoint to return pages to (default: the config's)");
  stage->add_option("--workers", workers, "worker threads (default: the config's)")->check(CLI::Range(1, 64));
  std::string crash_journal, worker_key = "worker";
  int keys_fd = -1;
  stage->add_option("--crash-journal", crash_journal, "where a crash records the page it died on (set by the coordinator)");
  stage->add_option("--keys-fd", keys_fd, "read this worker's CURVE keys from this file descriptor (set by the coordinator)");
  stage->add_option("--worker-key", worker_key, "which pair of the key folder to use: NAME.key / NAME.secret (default: worker)");

  std::string keys_action, keys_dir, keys_name;
  auto* keys = app.add_subcommand("keys", "CURVE keys for the tcp transport: generate DIR | add-worker DIR NAME");
  keys->add_option("action", keys_action, "generate | add-worker")->required()->check(CLI::IsMember({"generate", "add-worker"}));
  keys->add_option("dir", keys_dir, "the key folder (transport.keys)")->required();
  keys->add_option("name", keys_name, "add-worker: the new worker pair's name");

  CorpusOptions corpus;
  std::string corpus_input, corpus_out;
  auto add_corpus_options = [&](CLI::App* sub) {
    sub->add_option("input", corpus_input, "a batch with truth.jsonl, or a folder of them (default: generate one)");
    sub->add_option("--profile", corpus.profile, "corpus profile to generate")
        ->check(CLI::IsMember({"clean", "standard", "hard"}));
    sub->add_option("--pages", corpus.pages, "pages to generate")->check(CLI::Range(1, 100000));
    sub->add_option("--seed", corpus.seed, "generator seed");
    sub->add_option("--out-dir", corpus_out, "where reports go");
    sub->add_option("--config", config_file, "pipeline config");
  };
  auto* eval = app.add_subcommand("eval", "score the pipeline against ground truth (Markdown, HTML, JSON reports)");
  add_corpus_options(eval);
  std::string eval_against, eval_root;
  eval->add_option("--against", eval_against,
                   "the current config: run it first on the same corpus and compare (compare.json, compare.md)");
  eval->add_option("--root", eval_root, "relative paths in the configs resolve against this folder");
  eval->add_flag("--inproc", corpus.inproc, "stages as threads of this process, whatever the configs say");
  auto* bench = app.add_subcommand("bench", "time intake against the tesseract CLI and ocrmypdf on the same pages");
  add_corpus_options(bench);

  auto* show = app.add_subcommand("show", "print a dossier record");
  show->add_option("dossier", key, "dossier code, tracking number, or BATCH/N")->required();
  show->add_option("--store", store, "dossier store");
  show->add_option("--config", config_file, "pipeline config (for the store path)");
  bool why = false;
  show->add_flag("--why", why,
                 "also say why its pages were grouped and typed as they were (the classifier's evidence)");

  auto* status = app.add_subcommand("status", "a dossier's state, due date and history");
  status->add_option("dossier", key, "dossier code")->required();
  status->add_option("--store", store, "dossier store");
  status->add_option("--config", config_file, "pipeline config (for the store path)");
  auto* set_status = app.add_subcommand("set-status", "move a dossier on: assigned, in_progress, waiting_supplement, "
                                                      "resolved, returned");
  set_status->add_option("dossier", key, "dossier code")->required();
  set_status->add_option("state", state, "the new state")->required();
  set_status->add_option("--actor", actor, "who makes the change (default: operator)");
  set_status->add_option("--note", note, "why");
  set_status->add_option("--at", at, "when, YYYY-MM-DDTHH:MM, Asia/Ho_Chi_Minh (default: now)");
  set_status->add_option("--store", store, "dossier store");
  set_status->add_option("--config", config_file, "pipeline config (store path, calendar)");
  auto* find = app.add_subcommand("find", "dossiers by code, tracking number, applicant ID number or name");
  find->add_option("key", key, "what to look for")->required();
  find->add_option("--store", store, "dossier store");
  find->add_option("--config", config_file, "pipeline config (for the store path)");

  auto* dispatch = app.add_subcommand("dispatch", "link scanned outbound envelopes (S10 label, then the result's first "
                                                  "page or receipt slip with its dossier code) to their dossiers");
  dispatch->add_option("input", inputs, "folder or files")->required();
  dispatch->add_option("--at", at, "when the items were handed to the post, YYYY-MM-DDTHH:MM (default: now)");
  dispatch->add_option("--out", out, "also write the dispatches as JSON Lines");
  dispatch->add_option("--store", store, "dossier store");
  dispatch->add_option("--config", config_file, "pipeline config");

  std::string from, to, as_of, format = "text";
  auto* report = app.add_subcommand("report", "dossiers received, resolved early / on time / late, open at risk or "
                                              "overdue, returns dispatched (text, CSV or HTML)");
  report->add_option("--from", from, "first day, YYYY-MM-DD")->required();
  report->add_option("--to", to, "last day, YYYY-MM-DD")->required();
  report->add_option("--as-of", as_of, "the day open dossiers are judged on (default: --to)");
  report->add_option("--format", format, "text | csv | html")->check(CLI::IsMember({"text", "csv", "html"}));
  report->add_option("--out", out, "write here instead of standard output");
  report->add_option("--store", store, "dossier store");
  report->add_option("--config", config_file, "pipeline config (store path, calendar, agency)");
  std::string import_file;
  auto* import = app.add_subcommand("import", "add dossiers received electronically or at the counter (JSON Lines)");
  import->add_option("file", import_file, "records, one JSON object a line")->required();
  import->add_option("--store", store, "dossier store");
  import->add_option("--config", config_file, "pipeline config (store path, catalog, calendar, agency)");

  std::string since;
  auto* export_cmd = app.add_subcommand("export",
                                        "every dossier as it stands now, operators' corrections included "
                                        "(JSON Lines, intake.dossier/1)");
  export_cmd->add_option("--out", out, "the file to write (whole or not at all)")->required();
  export_cmd->add_option("--since", since,
                         "only dossiers committed or changed since YYYY-MM-DDTHH:MM (Asia/Ho_Chi_Minh)");
  export_cmd->add_option("--store", store, "dossier store");
  export_cmd->add_option("--config", config_file, "pipeline config (for the store path)");

  std::string listen, user_action, user_name, user_role;
  auto* serve = app.add_subcommand("serve",
                                   "the web application: review desk, batches, users (and the hot folder "
                                   "of serve.hot_folder)");
  serve->add_option("--listen", listen, "HOST:PORT (default: serve.listen, 127.0.0.1:8080)");
  serve->add_option("--store", store, "dossier store");
  serve->add_option("--config", config_file, "pipeline config");
  auto* user = app.add_subcommand("user",
                                  "web application accounts: add NAME --role R | passwd NAME | disable NAME | "
                                  "enable NAME | list (a password from standard input, or asked twice)");
  user->add_option("action", user_action, "add | passwd | disable | enable | list")
      ->required()
      ->check(CLI::IsMember({"add", "passwd", "disable", "enable", "list"}));
  user->add_option("name", user_name, "the user's name (a-z 0-9 . _ -)");
  user->add_option("--role", user_role, "mailroom | operator | admin")
      ->check(CLI::IsMember({"mailroom", "operator", "admin"}));
  user->add_option("--store", store, "dossier store");
  user->add_option("--config", config_file, "pipeline config (for the store path)");

  auto* receipt = app.add_subcommand("receipt", "write a dossier's receipt and appointment slip (A5 PDF)");
  receipt->add_option("dossier", key, "dossier code")->required();
  receipt->add_option("--out", out, "the PDF to write (default: CODE.pdf)");
  receipt->add_option("--store", store, "dossier store");
  receipt->add_option("--config", config_file, "pipeline config (store path, agency name, catalog)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  install_stop_handlers();
  std::signal(SIGPIPE, SIG_IGN);  // a child that died before reading its keys is a log line, not our end
  if (*keys) {
    try {
      if (keys_action == "generate") {
        write_key_folder(keys_dir);
        std::cout << keys_dir << ": coordinator.key/.secret, worker.key/.secret, authorized_workers written\n"
                  << "  config: transport: {kind: tcp, keys: " << keys_dir << "}\n"
                  << "  a worker on another host needs coordinator.key, worker.key and worker.secret\n";
      } else {
        if (keys_name.empty()) throw std::runtime_error("add-worker needs a NAME");
        add_worker_key(keys_dir, keys_name);
        std::cout << keys_dir << ": " << keys_name << ".key/.secret written and authorized; start the worker with "
                  << "`intake stage NAME --worker-key " << keys_name << "`\n";
      }
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "intake: " << e.what() << '\n';
      return kExitFailed;
    }
  }
  try {
    const Config config = config_from(config_file);
    const std::string store_path = store.empty() ? config.resolve(config.store.path).string() : store;
    const ServiceOptions service_options{store_path};
    if (*run) {
      BatchRequest request;
      for (const auto& i : inputs) request.inputs.emplace_back(i);
      request.received_at = received.empty() ? now_iso_vn() : parse_received(received);
      return cmd_run(config, service_options, request, out, stats, receipts);
    }
    if (*dispatch) {
      BatchRequest request;
      for (const auto& i : inputs) request.inputs.emplace_back(i);
      request.received_at = at.empty() ? now_iso_vn() : parse_received(at);
      request.kind = BatchRequest::Kind::dispatch;
      return cmd_dispatch(config, service_options, request, out);
    }
    if (*watch) return cmd_watch(config, service_options, inputs.front(), out_dir, settle_s, marker);
    if (*stage) {
      if (!config.runtime.count(stage_name))
        throw ConfigError("unknown stage '" + stage_name +
                          "' (known: " + fmt::format("{}", fmt::join(config.stages, ", ")) + ")");
      const auto& rt = config.runtime.at(stage_name);
      return run_stage_process(config, stage_name, work.empty() ? rt.endpoint : work,
                               results.empty() ? config.transport.results : results,
                               stage->count("--workers") ? workers : rt.workers, crash_journal,
                               stage_curve(config, keys_fd, worker_key));
    }
    if (*show) return cmd_show(store_path, key, why);
    if (*status) return cmd_status(store_path, key);
    if (*set_status)
      return cmd_set_status(config, store_path, key, state, actor, note, at.empty() ? "" : parse_received(at));
    if (*find) return cmd_find(store_path, key);
    if (*report) return cmd_report(config, store_path, from, to, as_of, format, out);
    if (*import) return cmd_import(config, store_path, import_file);
    if (*receipt) return cmd_receipt(config, store_path, key, out);
    if (*export_cmd) {
      Store s(store_path);
      std::vector<nlohmann::json> lines;
      for (const auto& r : s.export_records(since.empty() ? "" : parse_received(since))) lines.push_back(to_json(r));
      write_jsonl(out, lines);
      std::cout << out << ": " << lines.size() << " dossier(s)\n";
      return 0;
    }
    if (*serve) return cmd_serve(config, service_options, listen);
    if (*user) return cmd_user(store_path, user_action, user_name, user_role);
    if (*eval || *bench) {
      corpus.input = corpus_input;
      corpus.out_dir = corpus_out;
      corpus.against = eval_against;
      corpus.root = eval_root;
      if (*eval) return cmd_eval(config, corpus);
      return cmd_bench(config, corpus, config_file.empty() ? config.file : std::filesystem::path(config_file));
    }
  } catch (const CLI::ValidationError& e) {
    std::cerr << "intake: " << e.what() << '\n';
    return kExitUsage;
  } catch (const ConfigError& e) {
    std::cerr << "intake: configuration error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "intake: " << e.what() << '\n';
    return kExitFailed;
  }
  return 0;
}
