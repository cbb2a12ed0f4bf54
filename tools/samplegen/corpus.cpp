#include "corpus.h"

#include "degrade.h"
#include "dossiers.h"
#include "output.h"
#include "scan.h"

#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace samplegen {

namespace {

using Json = nlohmann::ordered_json;
using namespace corpus;
namespace fs = std::filesystem;

struct PageJob {
    std::string type; // envelope, application_form, id_card, supporting_document, blank, separator
    std::string kind; // finer: form, cccd_2021, giay_chung_sinh, blank_back, separator, DL envelope, ...
    std::shared_ptr<const Canvas> canvas; // null for blank backs
    std::shared_ptr<const Canvas> front;  // blank back: the front of the sheet (show-through); may be null
    int showThrough = 0;                  // grey levels of the show-through at its darkest
    int dossier = -1;                     // index in the batch's dossiers; -1 for separators
    int dpi = 300;
    int file = -1, sourcePage = 0;
    PageScan scan;
    cv::Size pixels;            // as written
    std::vector<bool> readable; // per barcode, after degradation
};

struct FileJob {
    std::string name;
    FileSettings settings;
    std::vector<int> pages; // indices into the batch's pages
};

struct DossierPlan {
    Dossier d;
    std::vector<int> pages;                                     // page indices, scan order
    std::vector<std::pair<std::string, std::vector<int>>> docs; // type, page indices
};

struct BatchPlan {
    std::string name;
    std::vector<PageJob> pages;
    std::vector<FileJob> files;
    std::vector<DossierPlan> dossiers;
};

const char* extension(FileFormat f)
{
    switch (f) {
    case FileFormat::Png: return "png";
    case FileFormat::Jpeg: return "jpg";
    case FileFormat::Webp: return "webp";
    case FileFormat::Tiff: return "tif";
    case FileFormat::Pdf: return "pdf";
    }
    return "bin";
}

int procedureFor(Rng& rng)
{
    // birth, marriage, death, business household, land, social allowance
    static constexpr int kWeights[6] = {28, 16, 14, 16, 12, 14};
    int r = rng.uniform(0, 99);
    for (int i = 0; i < 6; ++i) {
        if (r < kWeights[i])
            return i;
        r -= kWeights[i];
    }
    return 0;
}

cv::Scalar separatorPaper(Rng& rng)
{
    switch (rng.uniform(0, 4)) {
    case 0: return cv::Scalar(150, 232, 250); // yellow
    case 1: return cv::Scalar(190, 240, 200); // green
    case 2: return cv::Scalar(230, 215, 250); // pink
    default: {
        const int g = rng.uniform(238, 248);
        return cv::Scalar(g, g, g);
    }
    }
}

cv::Mat paintBlank(const PageJob& p)
{
    const cv::Scalar paper = p.front ? p.front->paper() : cv::Scalar(244, 244, 244);
    const double scale = p.dpi / 200.0;
    if (!p.front || p.showThrough == 0) {
        const cv::Size size = p.front ? p.front->pixelSize() : cv::Size(static_cast<int>(std::lround(1654 * scale)),
                                                                         static_cast<int>(std::lround(2339 * scale)));
        return cv::Mat(size, CV_8UC3, paper);
    }
    cv::Mat grey = p.front->grey();
    cv::flip(grey, grey, 1);
    cv::GaussianBlur(grey, grey, cv::Size(0, 0), 1.5 * scale);
    cv::Mat out(grey.size(), CV_8UC3);
    for (int y = 0; y < grey.rows; ++y) {
        const uchar* g = grey.ptr<uchar>(y);
        auto* o = out.ptr<uchar>(y);
        for (int x = 0; x < grey.cols; ++x) {
            const double k = (255 - g[x]) / 230.0 * p.showThrough;
            for (int c = 0; c < 3; ++c)
                o[3 * x + c] = cv::saturate_cast<uchar>(paper[c] - k);
        }
    }
    return out;
}

void scanFile(const fs::path& dir, FileJob& file, std::vector<PageJob>& pages)
{
    std::vector<cv::Mat> scanned;
    for (int i : file.pages) {
        PageJob& p = pages[static_cast<std::size_t>(i)];
        const cv::Mat painted = p.canvas ? p.canvas->paint() : paintBlank(p);
        scanned.push_back(applyScan(painted, p.scan, file.settings));
    }
    const FileSettings& f = file.settings;
    FileOptions options;
    options.jpegQuality = f.quality > 0 ? f.quality : 90;
    options.webpQuality = f.quality > 0 ? f.quality : 90;
    options.pdfJpegQuality = f.quality > 0 ? f.quality : 90;
    options.pngCompression = 6;
    options.tiffDpi = f.dpi;
    options.pdfDpi.assign(scanned.size(), f.dpi);
    const std::vector<cv::Mat> back = writeScanFile(dir / file.name, f.format, scanned, options);
    for (std::size_t k = 0; k < file.pages.size(); ++k) {
        PageJob& p = pages[static_cast<std::size_t>(file.pages[k])];
        p.pixels = scanned[k].size();
        if (!p.canvas || p.canvas->barcodes().empty())
            continue;
        p.readable = readableBarcodes(back[k], p.canvas->barcodes(), p.scan.rotation);
        if (std::find(p.readable.begin(), p.readable.end(), false) != p.readable.end())
            // unreadable after degradation is allowed (the manifest says so); unreadable as drawn is a bug
            verifyBarcodes(p.canvas->grey(), p.canvas->barcodes(), file.name + " page " + std::to_string(k + 1) + " as drawn");
    }
}

Json barcodesJson(const std::vector<Barcode>& barcodes)
{
    Json out = Json::array();
    for (const Barcode& b : barcodes)
        out.push_back({{"format", b.format}, {"text", b.text}});
    return out;
}

Json truthPage(const BatchPlan& b, int index)
{
    const PageJob& p = b.pages[static_cast<std::size_t>(index)];
    return {{"number", index + 1},
            {"source_file", b.files[static_cast<std::size_t>(p.file)].name},
            {"source_page", p.sourcePage},
            {"type", p.type},
            {"rotation", p.scan.rotation},
            {"blank", p.type == "blank"},
            {"barcodes", p.canvas ? barcodesJson(p.canvas->barcodes()) : Json::array()},
            {"text", p.canvas ? p.canvas->truthText() : ""}};
}

Json truthRecord(const BatchPlan& b, const DossierPlan& dp)
{
    const Dossier& d = dp.d;
    const ProcedureInfo& proc = procedures()[static_cast<std::size_t>(d.procedure)];
    Json documents = Json::array();
    for (const auto& [type, pages] : dp.docs) {
        Json numbers = Json::array();
        for (int i : pages)
            numbers.push_back(i + 1);
        documents.push_back({{"type", type}, {"pages", numbers}});
    }
    Json pages = Json::array();
    for (int i : dp.pages)
        pages.push_back(truthPage(b, i));
    return {{"schema", "intake.dossier/1"},
            {"dossier_code", nullptr},
            {"batch_id", nullptr},
            {"channel", "postal"},
            {"received_at", nullptr},
            {"tracking_number", d.tracking ? Json(*d.tracking) : Json(nullptr)},
            {"tracking_valid", d.trackingValid},
            {"sender", d.sender},
            {"applicant", d.applicant},
            {"procedure",
             {{"id", proc.id}, {"code", proc.code.empty() ? Json(nullptr) : Json(proc.code)}, {"name", proc.name}, {"confidence", nullptr}}},
            {"department", proc.department},
            {"due_date", nullptr},
            {"documents", documents},
            {"pages", pages},
            {"review", {{"required", !d.reasons.empty()}, {"reasons", d.reasons}}}};
}

Json manifestPage(const BatchPlan& b, int index)
{
    const PageJob& p = b.pages[static_cast<std::size_t>(index)];
    const FileJob& f = b.files[static_cast<std::size_t>(p.file)];
    Json out = {{"number", index + 1}, {"source_file", f.name}, {"source_page", p.sourcePage}};
    Json conditions = describe(p.scan, f.settings, p.pixels);
    Json applied = conditions["applied"];
    conditions.erase("applied");
    for (auto it = conditions.begin(); it != conditions.end(); ++it)
        out[it.key()] = it.value();
    const std::size_t nBarcodes = p.canvas ? p.canvas->barcodes().size() : 0;
    if (nBarcodes > 0)
        out["barcodes_readable"] = std::find(p.readable.begin(), p.readable.end(), false) == p.readable.end();
    out["applied"] = applied;
    Json content = {{"type", p.type}, {"kind", p.kind}, {"dossier", p.dossier >= 0 ? Json(p.dossier + 1) : Json(nullptr)},
                    {"barcodes", nBarcodes}};
    if (nBarcodes > 0) {
        Json each = Json::array();
        for (std::size_t k = 0; k < nBarcodes; ++k)
            each.push_back({{"format", p.canvas->barcodes()[k].format}, {"readable", static_cast<bool>(p.readable[k])}});
        content["barcode_reads"] = each;
    }
    if (p.type == "blank")
        content["show_through"] = p.showThrough;
    out["content"] = content;
    return out;
}

Json profileParameters(Profile p)
{
    switch (p) {
    case Profile::Clean:
        return {{"rotation", "none"}, {"skew_deg", "uniform in [-0.5, 0.5]"}, {"dpi", "300"},
                {"noise_sigma", "1.5-2.5 (light)"}, {"blur", "none"}, {"jpeg_quality", "85-95"}, {"background_removal", "70% of scanner jobs"},
                {"contrast", "normal"}, {"uneven_light", "none"}, {"folds", "none"}, {"stains", "none"},
                {"formats", "PNG, JPEG, WebP single pages; multi-page TIFF and PDF"}};
    case Profile::Standard:
        return {{"rotation", "5% of pages turned (180: 60%, 90: 20%, 270: 20%)"}, {"skew_deg", "uniform in [-3, 3]"},
                {"dpi", "200 (40%), 240 (15%), 300 (45%) per dossier"}, {"noise_sigma", "3-6 (medium)"},
                {"blur", "30% of pages, sigma 0.4-1.0 px at 200 dpi"}, {"jpeg_quality", "60-90 (JPEG, PDF, WebP)"},
                {"contrast", "15% reduced (black 30-60, white 235-250)"}, {"uneven_light", "30%, 5-15% darkening"},
                {"folds", "20% of pages"}, {"stains", "3% of pages"}, {"border", "20% light grey"}, {"background_removal", "45% of scanner jobs"},
                {"formats", "PNG, JPEG, WebP single pages; multi-page TIFF and PDF"}};
    case Profile::Hard:
        return {{"rotation", "15% of pages turned (180: 60%, 90: 20%, 270: 20%)"}, {"skew_deg", "uniform in [-8, 8]"},
                {"dpi", "150 (20%), 200 (35%), 300 (30%), 400 (15%) per dossier"}, {"noise_sigma", "6-12 (strong)"},
                {"blur", "60% of pages, sigma 0.8-1.8 px at 200 dpi"}, {"jpeg_quality", "35-75 (JPEG, PDF, WebP)"},
                {"contrast", "40% low (black 60-110, white 200-230)"}, {"uneven_light", "60%, 10-30% darkening"},
                {"folds", "45% of pages"}, {"stains", "20% of pages"}, {"border", "30% dark scanner background"}, {"background_removal", "25% of scanner jobs"},
                {"formats", "PNG, JPEG, WebP single pages; multi-page TIFF and PDF"}};
    }
    return Json::object();
}

void clearBatchDir(const fs::path& dir)
{
    if (!fs::exists(dir))
        return;
    if (!fs::is_directory(dir) || (!fs::is_empty(dir) && !fs::exists(dir / "truth.jsonl")))
        throw std::runtime_error(dir.string() + " exists and is not a corpus batch; not overwriting it");
    fs::remove_all(dir);
}

// Truth text is lines of single-spaced words: a run of spaces would be a drafting slip.
void checkText(const PageJob& p)
{
    if (!p.canvas)
        return;
    const std::string text = p.canvas->truthText();
    if (text.find("  ") != std::string::npos || text.find(" \n") != std::string::npos ||
        text.find("\n ") != std::string::npos || (!text.empty() && (text.back() == ' ' || text.front() == ' ')))
        throw std::logic_error("truth text of a " + p.kind + " page has a run of spaces: " + text);
}

std::string batchName(int n)
{
    char b[32];
    std::snprintf(b, sizeof b, "batch-%03d", n);
    return b;
}

} // namespace

void writeCorpus(const fs::path& dir, const CorpusOptions& o)
{
    const auto t0 = std::chrono::steady_clock::now();
    const Profile profile = parseProfile(o.profile);
    if (o.pages < 1 || o.pages > 100000)
        throw std::invalid_argument("--pages must be in [1, 100000]");
    // Content (dossiers, layouts) and scan conditions come from two streams: the same seed
    // gives the same dossiers under every profile (up to line breaks at other resolutions).
    Rng content(o.seed);
    Rng scanRng(o.seed * 2654435761u + 0x9E3779B9u * (static_cast<std::uint32_t>(profile) + 1));

    // Every procedure early on, in an order of the seed's choosing.
    std::vector<int> firstProcedures = {0, 1, 2, 3, 4, 5};
    for (int i = 5; i > 0; --i)
        std::swap(firstProcedures[static_cast<std::size_t>(i)], firstProcedures[static_cast<std::size_t>(content.uniform(0, i))]);

    // ---- plan: batches, dossiers, pages, files, conditions -------------------------------------
    std::vector<BatchPlan> batches;
    int produced = 0, dossierCount = 0;
    while (produced < o.pages) {
        const int remaining = o.pages - produced;
        const int target = remaining <= 60 ? remaining : remaining < 80 ? remaining / 2 : content.uniform(40, 60);
        BatchPlan b;
        b.name = batchName(static_cast<int>(batches.size()) + 1);
        const int bi = static_cast<int>(batches.size());
        const Date today{2 + bi % 26, 11 + (bi / 26) % 2, 2026};
        bool afterSeparator = true;
        auto addSeparator = [&](int dpi) {
            static const std::vector<std::string> headings = {"TÁCH HỒ SƠ / SEPARATOR", "TỜ PHÂN CÁCH HỒ SƠ", ""};
            const std::string heading = headings[static_cast<std::size_t>(content.uniform(0, 2))];
            PageJob p;
            p.type = "separator";
            p.kind = "separator";
            p.dpi = dpi;
            p.canvas = std::make_shared<const Canvas>(drawSeparator("PATCHT", heading, separatorPaper(content), dpi / 200.0));
            b.pages.push_back(std::move(p));
            afterSeparator = true;
        };
        while (static_cast<int>(b.pages.size()) < target) {
            const int proc = dossierCount < 6 ? firstProcedures[static_cast<std::size_t>(dossierCount)] : procedureFor(content);
            const bool withEnvelope = content.chance(93);
            const int dpi = sampleDpi(profile, scanRng);
            if (!withEnvelope && !afterSeparator) // without an envelope, only a separator tells dossiers apart
                addSeparator(dpi);
            DossierPlan dp;
            dp.d = makeDossier(proc, withEnvelope, {dpi / 200.0, today, 30}, content);
            const int di = static_cast<int>(b.dossiers.size());
            auto addPage = [&](PageJob p) {
                checkText(p);
                p.dossier = di;
                p.dpi = dpi;
                dp.pages.push_back(static_cast<int>(b.pages.size()));
                b.pages.push_back(std::move(p));
            };
            if (dp.d.envelope) {
                PageJob p;
                p.type = "envelope";
                p.kind = "envelope_" + dp.d.envelopeSize;
                p.canvas = std::make_shared<const Canvas>(std::move(*dp.d.envelope));
                dp.d.envelope.reset();
                dp.docs.push_back({"envelope", {static_cast<int>(b.pages.size())}});
                addPage(std::move(p));
            }
            for (DocPages& doc : dp.d.docs) {
                std::vector<int> numbers;
                for (Canvas& c : doc.pages) {
                    PageJob p;
                    p.type = doc.type;
                    p.kind = doc.kind;
                    p.canvas = std::make_shared<const Canvas>(std::move(c));
                    numbers.push_back(static_cast<int>(b.pages.size()));
                    const auto front = p.canvas;
                    addPage(std::move(p));
                    if (content.chance(9)) { // the blank back of a duplex-scanned sheet
                        PageJob back;
                        back.type = "blank";
                        back.kind = "blank_back";
                        back.front = front;
                        back.showThrough = content.chance(65) ? content.uniform(5, 22) : 0;
                        addPage(std::move(back));
                    }
                }
                dp.docs.push_back({doc.type, numbers});
                doc.pages.clear();
            }
            b.dossiers.push_back(std::move(dp));
            ++dossierCount;
            afterSeparator = false;
            if (content.chance(22) && static_cast<int>(b.pages.size()) < target)
                addSeparator(dpi);
        }
        // Files: runs of 1-4 pages of one dossier (separators on their own), each a scanner job.
        const int multiPercent = profile == Profile::Clean ? 40 : 35;
        std::size_t i = 0;
        while (i < b.pages.size()) {
            std::size_t end = i + 1;
            while (end < b.pages.size() && b.pages[end].dossier == b.pages[i].dossier && b.pages[i].dossier >= 0)
                ++end;
            while (i < end) {
                const int left = static_cast<int>(end - i);
                const bool multi = left >= 2 && scanRng.chance(multiPercent);
                const int k = multi ? scanRng.uniform(2, std::min(4, left)) : 1;
                FileJob f;
                f.settings = sampleFile(profile, scanRng, multi, b.pages[i].type == "envelope" && k == 1, b.pages[i].dpi);
                f.name = "scan_" + std::to_string(b.files.size() + 1) + "." + extension(f.settings.format);
                for (int j = 0; j < k; ++j, ++i) {
                    PageJob& p = b.pages[i];
                    p.file = static_cast<int>(b.files.size());
                    p.sourcePage = j + 1;
                    p.scan = samplePage(profile, f.settings, scanRng, p.type != "blank");
                    if (p.type == "envelope")
                        p.scan.folds = 0; // envelopes are not folded
                    f.pages.push_back(static_cast<int>(i));
                }
                b.files.push_back(std::move(f));
            }
        }
        produced += static_cast<int>(b.pages.size());
        batches.push_back(std::move(b));
    }

    if (o.dryRun) {
        int n = 0;
        for (const BatchPlan& b : batches)
            n += static_cast<int>(b.pages.size());
        std::cout << "dry run: " << n << " pages in " << batches.size() << " batches laid out\n";
        return;
    }

    // ---- scan: paint, degrade, write, read back, check barcodes (in parallel) ---------------
    fs::create_directories(dir);
    for (const BatchPlan& b : batches) {
        clearBatchDir(dir / b.name);
        fs::create_directories(dir / b.name);
    }
    for (int n = static_cast<int>(batches.size()) + 1;; ++n) { // stale batches of an earlier, larger run
        const fs::path stale = dir / batchName(n);
        if (!fs::exists(stale))
            break;
        clearBatchDir(stale);
    }
    struct Work {
        BatchPlan* batch;
        std::size_t file;
    };
    std::vector<Work> work;
    for (BatchPlan& b : batches)
        for (std::size_t f = 0; f < b.files.size(); ++f)
            work.push_back({&b, f});
    // Largest jobs first (multi-page, high resolution) so the threads finish together.
    std::stable_sort(work.begin(), work.end(), [](const Work& l, const Work& r) {
        auto cost = [](const Work& w) {
            const FileJob& f = w.batch->files[w.file];
            return static_cast<long>(f.pages.size()) * f.settings.dpi * f.settings.dpi;
        };
        return cost(l) > cost(r);
    });
    cv::setNumThreads(1); // parallel over files instead
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned jobs = o.jobs > 0 ? static_cast<unsigned>(o.jobs) : cores;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex errorLock;
    auto worker = [&] {
        while (!failed) {
            const std::size_t w = next++;
            if (w >= work.size())
                return;
            try {
                scanFile(dir / work[w].batch->name, work[w].batch->files[work[w].file], work[w].batch->pages);
            } catch (...) {
                std::lock_guard<std::mutex> lock(errorLock);
                if (!error)
                    error = std::current_exception();
                failed = true;
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    if (error)
        std::rethrow_exception(error);

    // ---- truth and manifest -------------------------------------------------------------------
    Json manifestBatches = Json::array();
    int totalPages = 0, totalDossiers = 0, unreadable = 0, barcodePages = 0;
    for (const BatchPlan& b : batches) {
        std::ofstream truth(dir / b.name / "truth.jsonl", std::ios::binary);
        for (const DossierPlan& dp : b.dossiers)
            truth << truthRecord(b, dp).dump() << '\n';
        if (!truth)
            throw std::runtime_error("cannot write " + (dir / b.name / "truth.jsonl").string());
        Json separators = Json::array();
        Json pages = Json::array();
        for (std::size_t i = 0; i < b.pages.size(); ++i) {
            const PageJob& p = b.pages[i];
            if (p.type == "separator")
                separators.push_back({{"number", static_cast<int>(i) + 1},
                                      {"source_file", b.files[static_cast<std::size_t>(p.file)].name},
                                      {"source_page", p.sourcePage},
                                      {"barcodes", barcodesJson(p.canvas->barcodes())}});
            pages.push_back(manifestPage(b, static_cast<int>(i)));
            if (p.canvas && !p.canvas->barcodes().empty()) {
                ++barcodePages;
                if (std::find(p.readable.begin(), p.readable.end(), false) != p.readable.end())
                    ++unreadable;
            }
        }
        std::ofstream(dir / b.name / "separators.json", std::ios::binary) << separators.dump() << '\n';
        Json dossiers = Json::array();
        for (std::size_t k = 0; k < b.dossiers.size(); ++k) {
            const DossierPlan& dp = b.dossiers[k];
            Json numbers = Json::array();
            for (int i : dp.pages)
                numbers.push_back(i + 1);
            dossiers.push_back({{"number", static_cast<int>(k) + 1},
                                {"pages", numbers},
                                {"procedure", procedures()[static_cast<std::size_t>(dp.d.procedure)].id},
                                {"envelope", dp.d.envelopeSize.empty() ? Json(nullptr) : Json(dp.d.envelopeSize)},
                                {"envelope_layout", dp.d.envelopeLayout.empty() ? Json(nullptr) : Json(dp.d.envelopeLayout)},
                                {"postmark_over_text", dp.d.postmarkOverText},
                                {"applicant_source", dp.d.applicant["source"]},
                                {"notes", dp.d.notes}});
        }
        manifestBatches.push_back({{"name", b.name},
                                   {"dir", b.name},
                                   {"page_count", b.pages.size()},
                                   {"file_count", b.files.size()},
                                   {"dossier_count", b.dossiers.size()},
                                   {"separator_count", separators.size()},
                                   {"dossiers", dossiers},
                                   {"pages", pages}});
        totalPages += static_cast<int>(b.pages.size());
        totalDossiers += static_cast<int>(b.dossiers.size());
    }
    const Json manifest = {{"schema", "intake.corpus/1"},
                           {"generator", "intake-samplegen --corpus"},
                           {"profile", profileName(profile)},
                           {"seed", o.seed},
                           {"pages_requested", o.pages},
                           {"page_count", totalPages},
                           {"dossier_count", totalDossiers},
                           {"batch_count", batches.size()},
                           {"barcode_pages", barcodePages},
                           {"barcode_pages_unreadable", unreadable},
                           {"profile_parameters", profileParameters(profile)},
                           {"batches", manifestBatches}};
    std::ofstream out(dir / "manifest.json", std::ios::binary);
    out << manifest.dump(1) << '\n';
    if (!out)
        throw std::runtime_error("cannot write manifest.json");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "corpus " << profileName(profile) << " seed " << o.seed << ": " << totalPages << " pages, " << totalDossiers
              << " dossiers, " << batches.size() << " batches in " << dir.string() << "; barcodes unreadable after degradation on "
              << unreadable << "/" << barcodePages << " pages; " << static_cast<int>(seconds + 0.5) << " s\n";
}

} // namespace samplegen
