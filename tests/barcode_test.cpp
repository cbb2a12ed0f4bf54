#include "stages/barcode.h"

#include <filesystem>
#include <fstream>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <gtest/gtest.h>

#include "stages/barcode_sandbox.h"

namespace intake {
namespace {

void draw(cv::Mat& page, ZXing::BarcodeFormat format, const std::wstring& text, cv::Rect where) {
  ZXing::MultiFormatWriter writer(format);
  writer.setEncoding(ZXing::CharacterSet::UTF8).setMargin(10);
  const auto matrix = ZXing::ToMatrix<uint8_t>(writer.encode(text, where.width, where.height));
  cv::Mat symbol(matrix.height(), matrix.width(), CV_8UC1, const_cast<uint8_t*>(matrix.data()));
  symbol.copyTo(page(cv::Rect(where.x, where.y, symbol.cols, symbol.rows)));
}

BarcodeConfig config() {
  BarcodeConfig c;
  c.sandbox_path = INTAKE_SANDBOX;
  return c;
}

PageItem decode(const cv::Mat& image, const BarcodeConfig& c = config()) {
  BarcodeStage stage(c);
  auto state = stage.make_state();
  PageItem page;
  page.work = image;
  stage.process(page, state.get());
  return page;
}

}  // namespace

TEST(Barcode, ReadsSeveralSymbolsWithPositions) {
  cv::Mat page(1600, 1400, CV_8UC1, cv::Scalar(255));
  draw(page, ZXing::BarcodeFormat::Code128, L"EE123456785VN", {100, 100, 700, 160});
  draw(page, ZXing::BarcodeFormat::QRCode, L"079090001234||Nguyễn Văn An|15031990|Nam|Tân Phú|10082021", {800, 700, 400, 400});
  const auto result = decode(page);
  ASSERT_EQ(result.barcodes.size(), 2u);
  bool code128 = false, qr = false;
  for (const auto& b : result.barcodes) {
    EXPECT_EQ(b.position.size(), 8u);
    if (b.format == "Code128" && b.text == "EE123456785VN") code128 = true;
    if (b.format == "QRCode" && b.text.find("Nguyễn Văn An") != std::string::npos) qr = true;
  }
  EXPECT_TRUE(code128);
  EXPECT_TRUE(qr);
}

TEST(Barcode, ALabelNoDecoderCanReadIsStillLocated) {
  cv::Mat page(1600, 2200, CV_8UC1, cv::Scalar(255));
  const cv::Rect label{1300, 200, 700, 160};
  draw(page, ZXing::BarcodeFormat::Code128, L"EE123456785VN", label);
  EXPECT_EQ(decode(page).unread_barcodes, 0);  // read: nothing unread
  // Torn at both ends: the start and stop patterns are gone, the bars in between remain.
  cv::rectangle(page, cv::Rect(label.x, label.y, 150, label.height), cv::Scalar(255), cv::FILLED);
  cv::rectangle(page, cv::Rect(label.x + label.width - 150, label.y, 150, label.height), cv::Scalar(255), cv::FILLED);
  const auto torn = decode(page);
  EXPECT_TRUE(torn.barcodes.empty());
  EXPECT_EQ(torn.unread_barcodes, 1);
  BarcodeConfig off = config();
  off.locate_unread = false;
  EXPECT_EQ(decode(page, off).unread_barcodes, 0);
  cv::Mat text_only(1600, 2200, CV_8UC1, cv::Scalar(255));
  cv::putText(text_only, "Nguoi gui: Tran Van B", {100, 300}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(0), 4);
  EXPECT_EQ(decode(text_only).unread_barcodes, 0);
}

TEST(Barcode, RetriesFindInvertedSymbols) {
  cv::Mat page(900, 900, CV_8UC1, cv::Scalar(255));
  draw(page, ZXing::BarcodeFormat::QRCode, L"PATCHT", {250, 250, 400, 400});
  cv::bitwise_not(page, page);
  EXPECT_EQ(decode(page).barcodes.size(), 1u);
  BarcodeConfig no_retries = config();
  no_retries.retry_variants = false;
  EXPECT_TRUE(decode(page, no_retries).barcodes.empty());
}

TEST(Barcode, PageWithoutSymbolsGivesNone) {
  EXPECT_TRUE(decode(cv::Mat(800, 600, CV_8UC1, cv::Scalar(255))).barcodes.empty());
}

// Debian's zxing-cpp 1.4.0 aborts in ReadBarcodes on this image (corpus README): the sandbox
// must absorb the crash, and the stage must still read the symbol with safer settings.
TEST(Barcode, DecoderCrashCostsNeitherThePageNorTheProcess) {
  const std::filesystem::path image = INTAKE_SHARED_DIR "/corpora/zxing-cpp-1.4.0/code128-1/4.png";
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "zxing corpus not found at " << image;
  const cv::Mat grey = cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
  BarcodeSandbox sandbox(INTAKE_SANDBOX, 20000);
  auto crash = sandbox.decode(grey, {false, false, true, 0});
  ASSERT_TRUE(std::holds_alternative<SandboxCrash>(crash)) << "ReadBarcodes no longer aborts on this image";
  EXPECT_NE(std::get<SandboxCrash>(crash).reason.find("signal"), std::string::npos) << std::get<SandboxCrash>(crash).reason;
  // The same sandbox object keeps working afterwards.
  EXPECT_TRUE(std::holds_alternative<std::vector<Barcode>>(sandbox.decode(grey, {false, false, false, 0})));

  // The stage never takes that path for linear symbols, and reads it.
  const auto page = decode(grey);
  ASSERT_FALSE(page.barcodes.empty());
  std::ifstream expected_file(image.parent_path() / "4.txt");
  std::string expected((std::istreambuf_iterator<char>(expected_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(page.barcodes[0].text, expected);
  EXPECT_TRUE(page.flags.empty());
}

TEST(Barcode, ALocatorCrashCostsNeitherTheSymbolsReadNorTheProcess) {
  const std::filesystem::path image = INTAKE_SHARED_DIR "/corpora/zxing-cpp-1.4.0/datamatrix-4/abcd-36x20.png";
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "zxing corpus not found at " << image;
  const cv::Mat grey = cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
  BarcodeSandbox sandbox(INTAKE_SANDBOX, 20000);
  DecodeOptions locate;
  locate.locate = true;
  auto crash = sandbox.decode(grey, locate);
  ASSERT_TRUE(std::holds_alternative<SandboxCrash>(crash)) << "OpenCV's locator no longer dies on this image";
  EXPECT_NE(std::get<SandboxCrash>(crash).reason.find("signal 8"), std::string::npos) << std::get<SandboxCrash>(crash).reason;

  const auto page = decode(grey);  // no linear symbol read: the stage asks the locator, which dies
  ASSERT_EQ(page.barcodes.size(), 1u);
  EXPECT_EQ(page.barcodes[0].format, "DataMatrix");
  EXPECT_EQ(page.unread_barcodes, 0);
  EXPECT_TRUE(page.flags.empty());
}

TEST(Barcode, ADecoderThatKeepsFailingQuarantinesThePageWithTheReason) {
  BarcodeConfig c = config();
  c.sandbox_timeout_ms = 1;  // every decode call overruns: the sandbox is killed each time
  c.max_crashes = 3;
  cv::Mat page(2000, 2000, CV_8UC1, cv::Scalar(255));
  draw(page, ZXing::BarcodeFormat::QRCode, L"PATCHT", {250, 250, 400, 400});
  try {
    decode(page, c);
    FAIL() << "no error after the decoder failed on every call";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("crashed 3 times"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
}

}  // namespace intake
