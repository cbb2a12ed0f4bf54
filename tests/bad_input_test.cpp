// The bad-input corpus: a generator (below) writes one batch folder holding every kind of bad
// file a mailroom share can hold beside a few good pages: zero-byte, truncated, mislabelled and
// garbage files, decompression and page-count bombs, huge declared sizes, a password PDF, odd
// names (Latin-1, escape sequences, a newline), links in and out of the folder, loops, a FIFO,
// a device, a folder named like a scan, and QR codes with hostile payloads. Run through the real
// binary as one batch: exit 0, every good page recorded, every bad one quarantined or skipped with
// its reason, no terminal escape printed, nothing from outside the folder copied, and memory
// bounded (peak resident size measured and printed).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/TextUtfEncoding.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <tiffio.h>

#include "tests/support/page_render.h"
#include "tests/support/run_intake.h"


namespace intake {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSource = INTAKE_SOURCE_DIR;

void write(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string encode(const std::string& ext, const cv::Mat& image) {
  std::vector<uchar> buf;
  cv::imencode(ext, image, buf);
  return std::string(buf.begin(), buf.end());
}

cv::Mat form_page(const std::string& name, const std::string& id) {
  return testing::render_page({"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI ĐĂNG KÝ KHAI TỬ",
                               "Họ, chữ đệm, tên người yêu cầu: " + name, "Số định danh cá nhân: " + id});
}

// A page with a QR code holding `payload` (UTF-8) at the top left.
cv::Mat qr_page(const std::string& payload) {
  cv::Mat page = testing::render_page({"", "", "", "", "", "", "", "", "BẢN SAO CĂN CƯỚC CÔNG DÂN"});
  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  writer.setEncoding(ZXing::CharacterSet::UTF8).setMargin(0);
  const auto modules = writer.encode(ZXing::TextUtfEncoding::FromUtf8(payload), 1, 1);
  const int scale = 8;
  for (int y = 0; y < modules.height(); ++y)
    for (int x = 0; x < modules.width(); ++x)
      if (modules.get(x, y)) cv::rectangle(page, cv::Rect(120 + x * scale, 120 + y * scale, scale, scale), 0, cv::FILLED);
  return page;
}

std::uint32_t crc32(const std::string& data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
  return be32(static_cast<std::uint32_t>(data.size())) + type + data + be32(crc32(type + data));
}

// A PNG whose header declares w x h pixels, with almost no data (a decompression bomb's header).
std::string png_declaring(std::uint32_t w, std::uint32_t h) {
  const std::string ihdr = be32(w) + be32(h) + std::string("\x08\x00\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) +
         png_chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) + png_chunk("IEND", "");
}

// A one-page PDF with the given page box (points) and optional extra trailer entries.
std::string pdf_with(const std::string& media_box, const std::string& trailer_extra = "", int pages = 1) {
  std::vector<std::string> objects{"<< /Type /Catalog /Pages 2 0 R >>"};
  std::string kids;
  for (int i = 0; i < pages; ++i) kids += std::to_string(3 + i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
  for (int i = 0; i < pages; ++i) objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + "] >>");
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto o : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " + trailer_extra +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

void write_tiff(const fs::path& file, int pages, int w, int h) {
  TIFF* t = TIFFOpen(file.c_str(), "w");
  ASSERT_NE(t, nullptr);
  std::vector<unsigned char> row(static_cast<std::size_t>(w), 255);
  for (int p = 0; p < pages; ++p) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_PACKBITS);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
    for (int y = 0; y < h; ++y) TIFFWriteScanline(t, row.data(), static_cast<std::uint32_t>(y), 0);
    TIFFWriteDirectory(t);
  }
  TIFFClose(t);
}

struct Corpus {
  fs::path folder;
  std::map<std::string, std::string> good;         // file name as shown -> applicant ID on it
  std::vector<std::string> quarantined;            // names as shown
  std::map<std::string, std::string> skipped;      // name as shown -> words its reason must hold
  std::vector<std::string> flagged_truncated;      // names as shown
  int bad_inputs = 0;
};

// The generator. Names as shown are text::printable of the bytes.
Corpus make_corpus(const fs::path& root) {
  Corpus c;
  c.folder = root / "batch";
  fs::create_directories(c.folder);
  const auto& f = c.folder;
  auto good = [&](const std::string& raw, const std::string& shown, const std::string& ext, const std::string& id) {
    write(f / raw, encode(ext, form_page("Võ Thị Mai", id)));
    c.good[shown] = id;
  };
  auto bad = [&](const std::string& raw, const std::string& shown, const std::string& bytes) {
    write(f / raw, bytes);
    c.quarantined.push_back(shown);
    ++c.bad_inputs;
  };
  auto skip = [&](const std::string& shown, const std::string& reason) {
    c.skipped[shown] = reason;
    ++c.bad_inputs;
  };

  good("scan_01.png", "scan_01.png", ".png", "080070001357");
  good("scan_02.jpg", "scan_02.jpg", ".jpg", "080070001358");
  good("scan_03_h\xf4so.png", "scan_03_h\\xF4so.png", ".png", "080070001359");  // Latin-1 name
  good("scan_04_\x1b[31mred\x1b]0;pwned\x07.png", "scan_04_\\x1B[31mred\\x1B]0;pwned\\x07.png", ".png", "080070001360");
  good("scan_05_new\nline.png", "scan_05_new\\x0Aline.png", ".png", "080070001361");
  good("scan_06_is_jpeg.png", "scan_06_is_jpeg.png", ".jpg", "080070001362");  // mislabelled, read by content
  ++c.bad_inputs;  // the mislabelled one
  c.bad_inputs += 3;  // the three odd names

  bad("scan_10_empty.png", "scan_10_empty.png", "");
  const std::string png = encode(".png", form_page("Lê Văn Tám", "080070001363"));
  bad("scan_11_cut.png", "scan_11_cut.png", png.substr(0, 400));
  bad("scan_12_text.jpg", "scan_12_text.jpg", "this is not a picture, it is a letter\n");
  std::mt19937 rng(7);
  std::string noise(50000, '\0');
  for (auto& ch : noise) ch = static_cast<char>(rng());
  bad("scan_13_noise.tif", "scan_13_noise.tif", "II*\0" + noise);
  bad("scan_14_bomb.png", "scan_14_bomb.png", png_declaring(100000, 100000));
  bad("scan_15_huge_box.pdf", "scan_15_huge_box.pdf", pdf_with("0 0 7128 7128"));  // 99 x 99 inches
  bad("scan_16_password.pdf", "scan_16_password.pdf",
      pdf_with("0 0 595 842", "/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" +
                                  std::string(64, '0') + "> /U <" + std::string(64, '1') + "> >> /ID [<00> <00>]"));
  bad("scan_17_no_pages.pdf", "scan_17_no_pages.pdf", pdf_with("0 0 595 842", "", 0));
  bad("scan_18_pages_bomb.pdf", "scan_18_pages_bomb.pdf", pdf_with("0 0 595 842", "", 2500));
  write_tiff(f / "scan_19_pages_bomb.tif", 5000, 16, 16);
  c.quarantined.push_back("scan_19_pages_bomb.tif");
  ++c.bad_inputs;
  write(f / "scan_20_tiny.png", encode(".png", cv::Mat(4, 4, CV_8UC1, cv::Scalar(255))));
  c.quarantined.push_back("scan_20_tiny.png");
  ++c.bad_inputs;

  // Decodes, but the lower third is missing: recorded, and flagged.
  const std::string jpg = encode(".jpg", form_page("Đinh Văn Út", "080070001364"));
  write(f / "scan_21_cut.jpg", jpg.substr(0, jpg.size() * 2 / 3));
  c.flagged_truncated.push_back("scan_21_cut.jpg");
  ++c.bad_inputs;

  // Hostile QR payloads: escape sequences, a citizen-ID payload with one in the name, garbage.
  write(f / "scan_22_qr.png", encode(".png", qr_page("\x1b]0;owned\x07\x1b[2J\x1b[31mINJECTED\x1b[0m")));
  write(f / "scan_23_qr.png",
        encode(".png", qr_page("080070001365|123456789|Mallory\x1b[31m Evil|01011990|Nam|X|01012021")));
  write(f / "scan_24_qr.png", encode(".png", qr_page(std::string(300, '|') + "\xff\xfe garbage")));
  c.bad_inputs += 3;

  // Not files, or not ours.
  fs::create_symlink("scan_01.png", f / "scan_30_link_inside.png");  // allowed: read
  c.good["scan_30_link_inside.png"] = "080070001357";
  fs::create_symlink("/etc/passwd", f / "scan_31_passwd.png");
  skip("scan_31_passwd.png", "out of the batch folder");
  fs::create_symlink("/dev/zero", f / "scan_32_dev.png");
  skip("scan_32_dev.png", "out of the batch folder");
  fs::create_symlink("nowhere.png", f / "scan_33_dangling.png");
  skip("scan_33_dangling.png", "dangling");
  fs::create_symlink("scan_34_loop.png", f / "scan_34_loop.png");
  skip("scan_34_loop.png", "loop");
  ::mkfifo((f / "scan_35_fifo.png").c_str(), 0600);
  skip("scan_35_fifo.png", "FIFO");
  fs::create_directories(f / "scan_36_folder.png");
  skip("scan_36_folder.png", "folder");
  fs::create_symlink(root, f / "scan_37_up.png");
  skip("scan_37_up.png", "out of the batch folder");
  write(f / "notes.txt", "not a scan");
  skip("notes.txt", "not a scan file");
  return c;
}

testing::Exit run_measured(const std::vector<std::string>& args, const fs::path& log) {
  auto e = testing::wait_for(testing::start_intake(args, log));
  std::ifstream in(log);
  e.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return e;
}

}  // namespace

TEST(BadInput, OneBatchOfEveryKindOfBadFileEndsWellAndLosesNothing) {
  const auto dir = testing::fresh_dir("bad-input");
  const Corpus corpus = make_corpus(dir);
  const auto m = run_measured({"run", corpus.folder.string(), "--config", (kSource / "configs/default.yaml").string(),
                               "--store", (dir / "store.db").string(), "--out", (dir / "records.jsonl").string()},
                              dir / "run.log");
  std::printf("bad-input batch: %d bad inputs beside %zu good pages; exit %d; peak resident %.0f MiB\n",
              corpus.bad_inputs, corpus.good.size(), m.status, m.peak_rss_kb / 1024.0);
  ASSERT_EQ(m.status, 0) << m.output;
  // Shown, never obeyed.
  EXPECT_EQ(m.output.find('\x1b'), std::string::npos) << "a terminal escape reached the output";
  EXPECT_LT(m.peak_rss_kb, 1200L * 1024) << "peak resident size";

  const auto records = testing::read_jsonl(dir / "records.jsonl");
  std::map<std::string, json> pages;  // by source_file
  std::set<std::string> ids;
  for (const auto& r : records) {
    for (const auto& p : r["pages"]) pages[p["source_file"].get<std::string>()] = p;
    if (r["applicant"].is_object() && r["applicant"]["id_number"].is_string())
      ids.insert(r["applicant"]["id_number"].get<std::string>());
    EXPECT_EQ(r.dump().find("\x1b"), std::string::npos);
  }
  for (const auto& [name, id] : corpus.good) {
    ASSERT_TRUE(pages.count(name)) << "good page " << name << " is not in a record\n" << m.output;
    EXPECT_FALSE(pages[name].value("error", json()).is_string()) << name << ": " << pages[name].dump();
  }
  for (const auto& name : corpus.quarantined)
    EXPECT_NE(m.output.find(" " + name + " (page"), std::string::npos) << name << " not listed as quarantined\n"
                                                                         << m.output;
  for (const auto& [name, why] : corpus.skipped) {
    const auto at = m.output.find("skipped        " + name + " (");
    ASSERT_NE(at, std::string::npos) << name << " not listed as skipped\n" << m.output;
    const auto line = m.output.substr(at, m.output.find('\n', at) - at);
    EXPECT_NE(line.find(why), std::string::npos) << line;
  }
  for (const auto& name : corpus.flagged_truncated) {
    ASSERT_TRUE(pages.count(name)) << name;
    const int n = pages[name]["number"].get<int>();
    bool flagged = false;
    for (const auto& r : records)
      flagged |= r["review"]["reasons"].dump().find("image_truncated:page=" + std::to_string(n)) != std::string::npos;
    EXPECT_TRUE(flagged) << name << " decoded partly and was recorded as whole";
  }
  // The QR payloads are values: the hostile citizen-ID name is not taken as an applicant.
  EXPECT_EQ(m.output.find("Mallory"), std::string::npos) << m.output;
  for (const auto& r : records) EXPECT_EQ(r["applicant"].dump().find("Mallory"), std::string::npos) << r["applicant"];
  // Nothing from outside the folder was copied into the quarantine.
  for (const auto& e : fs::recursive_directory_iterator(dir / "quarantine")) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("root:x:0:0"), std::string::npos) << e.path();
  }
  // Run again: the same batch, nothing redone, nothing doubled.
  const auto again = run_measured({"run", corpus.folder.string(), "--config", (kSource / "configs/default.yaml").string(),
                                   "--store", (dir / "store.db").string()},
                                  dir / "again.log");
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("already committed"), std::string::npos) << again.output;
}

}  // namespace intake
