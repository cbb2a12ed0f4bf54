// intake-serve-bench: server times of intake serve on a big store. Makes a store of N dossiers
// (default 10,000) from the sample batch (run once through the real stages, then its ledger and
// dossiers copied into N/4 batches with their own codes), serves it on 127.0.0.1, signs in as an
// operator and times, over loopback, the queue (page and API), the review screen, a page
// rendition (first view and cached) and a save, each against GET /healthz in the same run (the
// machine is shared: compare the ratios). Prints a table and writes JSON.
//
//   intake-serve-bench [--dossiers N] [--rounds R] [--out FILE] [--config FILE] [--keep DIR]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>

#include <fmt/core.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "pipeline/dossier/accounts.h"
#include "pipeline/dossier/review.h"
#include "pipeline/web/server.h"
#include "stages/barcode.h"
#include "stages/sections.h"

using namespace intake;
using json = nlohmann::json;

namespace {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * (v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  int dossiers = 10000, rounds = 200;
  std::filesystem::path out = "data/serve-bench.json", config_file, keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--dossiers") dossiers = std::max(4, std::atoi(argv[i + 1]));
    else if (a == "--rounds") rounds = std::max(10, std::atoi(argv[i + 1]));
    else if (a == "--out") out = argv[i + 1];
    else if (a == "--config") config_file = argv[i + 1];
    else if (a == "--keep") keep = argv[i + 1];
    else {
      std::cerr << "usage: intake-serve-bench [--dossiers N] [--rounds R] [--out FILE] [--config FILE] [--keep DIR]\n";
      return 1;
    }
  }
  const std::filesystem::path source = INTAKE_SOURCE_DIR;
  const auto dir = keep.empty()
                       ? std::filesystem::temp_directory_path() / ("intake-serve-bench-" + std::to_string(::getpid()))
                       : keep;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Config config = load_intake_config(config_file.empty() ? source / "configs/default.yaml" : config_file);
  auto barcode = config.section<BarcodeConfig>("barcode");
  barcode.sandbox_path = INTAKE_SANDBOX;
  config.set_section("barcode", barcode);
  const auto store_path = dir / "store.db";
  BatchService service(config, {store_path});
  const auto sample = service.run({{source / "samples/batch-01"}, "2026-11-27T09:30:00+07:00"});

  // N dossiers: the sample batch's ledger and records, copied batch by batch.
  const auto t0 = std::chrono::steady_clock::now();
  {
    Store store(store_path);
    const auto ledger = store.ledger(sample.run.batch_id);
    std::vector<LedgerPage> pages;
    for (const auto& p : ledger) pages.push_back({p.number, p.source_file, p.source_page, p.content_hash});
    const auto input = store.batch(sample.run.batch_id)->input;
    const int copies =
        (dossiers + static_cast<int>(sample.dossiers.size()) - 1) / static_cast<int>(sample.dossiers.size());
    for (int k = 1; k < copies; ++k) {
      const std::string batch = fmt::format("bbench{:011d}", k);
      // One day's batches share a received day: spread them over the working days of 2026.
      const int day = 1 + k % 28, month = 1 + (k / 28) % 12;
      const std::string received = fmt::format("2026-{:02d}-{:02d}T09:30:00+07:00", month, day);
      store.open_batch(batch, input, received, pages);
      for (const auto& p : ledger)
        if (p.result) store.save_page(batch, p.number, "processed", json::parse(*p.result), std::nullopt);
      std::vector<DossierRecord> records = sample.dossiers;
      for (auto& r : records) {
        r.batch_id = batch;
        r.dossier_code.reset();
        r.received_at = received;
      }
      store.commit_dossiers(batch, records, sample.explanations, config.agency.code);
    }
    Accounts(store).add_user("bench", Role::operator_, "mat-khau-benchmark", "bench");
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  web::Server server(service, config, {"127.0.0.1:0"});
  const int port = server.bind();
  std::thread http([&] { server.serve(); });
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60);
  const auto form = client.Get("/login");
  std::smatch m;
  const std::string body = form->body;
  std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""));
  const std::string pre =
      form->get_header_value("Set-Cookie").substr(0, form->get_header_value("Set-Cookie").find(';'));
  const auto in =
      client.Post("/login", {{"Cookie", pre}}, "csrf=" + m[1].str() + "&user=bench&password=mat-khau-benchmark",
                  "application/x-www-form-urlencoded");
  const std::string cookie = in->get_header_value("Set-Cookie").substr(0, in->get_header_value("Set-Cookie").find(';'));
  const std::string csrf = json::parse(client.Get("/api/me", {{"Cookie", cookie}})->body)["csrf"];
  const httplib::Headers headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}};

  std::vector<std::string> codes;
  int pending = 0;
  {
    Store store(store_path);
    for (const auto& r : store.export_records()) codes.push_back(*r.dossier_code);
    pending = static_cast<int>(ReviewDesk(store).queue({}, 1'000'000).size());
  }
  std::map<std::string, std::vector<double>> ms;
  auto timed = [&](const std::string& what, auto&& fn) {
    const auto a = std::chrono::steady_clock::now();
    const int status = fn();
    ms[what].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    if (status >= 400) std::cerr << what << ": HTTP " << status << '\n';
  };
  for (int i = 0; i < rounds; ++i) {
    const std::string code = codes[static_cast<std::size_t>(i * 7919) % codes.size()];
    timed("GET /healthz (baseline)", [&] { return client.Get("/healthz")->status; });
    timed("GET /queue (page)", [&] { return client.Get("/queue", headers)->status; });
    timed("GET /api/queue", [&] { return client.Get("/api/queue", headers)->status; });
    timed("GET /dossiers/CODE (screen)", [&] { return client.Get("/dossiers/" + code, headers)->status; });
    timed("GET /api/dossiers/CODE", [&] { return client.Get("/api/dossiers/" + code, headers)->status; });
    // Renditions: the first view of a page (decoded and scaled), then the same again (kept).
    const int page = 1 + i % 15;
    const std::string of = codes[static_cast<std::size_t>((page - 1) / 4) % codes.size()];
    const auto d = json::parse(client.Get("/api/dossiers/" + code, headers)->body);
    const int number = d["record"]["pages"].at(static_cast<std::size_t>(i) % d["record"]["pages"].size())["number"];
    const std::string width = std::to_string(900 + (i % 50) * 8);  // a new size: not in memory yet
    timed("GET /pages/CODE/N (first view)",
          [&] { return client.Get("/pages/" + code + "/" + std::to_string(number) + "?w=" + width, headers)->status; });
    timed("GET /pages/CODE/N (again)",
          [&] { return client.Get("/pages/" + code + "/" + std::to_string(number) + "?w=" + width, headers)->status; });
    (void)of;
    // A save: take a dossier to review, change the sender's phone.
    const auto next = client.Post("/queue/next", headers, "csrf=" + csrf, "application/x-www-form-urlencoded");
    const std::string location = next->get_header_value("Location");
    if (location.rfind("/dossiers/", 0) == 0) {
      const std::string held = location.substr(10);
      const int version = json::parse(client.Get("/api/dossiers/" + held, headers)->body)["version"];
      const json change = {{"version", version}, {"changes", {{"sender.phone", fmt::format("09{:08d}", i)}}}};
      timed("POST /api/dossiers/CODE/save", [&] {
        return client.Post("/api/dossiers/" + held + "/save", headers, change.dump(), "application/json")->status;
      });
    }
  }
  server.stop();
  http.join();

  const double base = percentile(ms["GET /healthz (baseline)"], 0.5);
  json result = {{"dossiers", codes.size()},
                 {"to_review", pending},
                 {"rounds", rounds},
                 {"store_build_s", build_s},
                 {"routes", json::object()}};
  fmt::print("intake serve on {} dossiers ({} to review), {} rounds, loopback, store built in {:.0f} s\n\n",
             codes.size(), pending, rounds, build_s);
  fmt::print("{:<34} {:>9} {:>9} {:>12}\n", "request", "p50 ms", "p95 ms", "p50/healthz");
  for (const auto& [what, v] : ms) {
    const double p50 = percentile(v, 0.5), p95 = percentile(v, 0.95);
    fmt::print("{:<34} {:>9.2f} {:>9.2f} {:>11.1f}x\n", what, p50, p95, base > 0 ? p50 / base : 0.0);
    result["routes"][what] = {
        {"p50_ms", p50}, {"p95_ms", p95}, {"n", v.size()}, {"p50_over_healthz", base > 0 ? p50 / base : 0.0}};
  }
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  std::ofstream(out) << result.dump(2) << '\n';
  std::cout << "\n" << out.string() << '\n';
  if (keep.empty()) std::filesystem::remove_all(dir);
  return 0;
}
