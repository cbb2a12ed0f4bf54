#include "pipeline/wire.h"

#include <gtest/gtest.h>

namespace intake {

TEST(Wire, RoundTripsAPageWithItsImages) {
  PageItem p;
  p.batch_id = "b1";
  p.number = 7;
  p.source_file = "scan_7.png";
  p.content_hash = "abc";
  p.original = std::string("\x89PNG\0\1\2", 7);
  p.work = cv::Mat(3, 5, CV_8UC1, cv::Scalar(42));
  p.barcodes.push_back({"QRCode", "Nguyễn|x", {1, 2, 3, 4, 5, 6, 7, 8}});
  p.text = "Tờ khai";
  p.ocr_confidence = 91.5;
  p.type = "application_form";
  p.fields["tracking"] = {{"number", "EE123456785VN"}};
  p.flag("x");
  auto frames = wire::encode({"ocr", p});
  auto decoded = wire::decode(frames);
  ASSERT_TRUE(std::holds_alternative<wire::Envelope>(decoded));
  const auto& e = std::get<wire::Envelope>(decoded);
  EXPECT_EQ(e.stage, "ocr");
  EXPECT_EQ(e.page.number, 7);
  EXPECT_EQ(e.page.original, p.original);
  ASSERT_EQ(e.page.work.rows, 3);
  EXPECT_EQ(e.page.work.at<uchar>(2, 4), 42);
  EXPECT_EQ(e.page.barcodes.at(0).text, "Nguyễn|x");
  EXPECT_EQ(e.page.ocr_confidence, 91.5);
  EXPECT_EQ(e.page.type, "application_form");
  EXPECT_EQ(e.page.fields["tracking"]["number"], "EE123456785VN");
  EXPECT_EQ(e.page.flags, std::vector<std::string>{"x"});
}

std::string reason_of(std::vector<zmq::message_t>& frames) {
  auto d = wire::decode(frames);
  return std::holds_alternative<wire::DecodeError>(d) ? std::get<wire::DecodeError>(d).reason : "";
}

TEST(Wire, RejectsMalformedMessagesWithAReason) {
  PageItem p;
  p.work = cv::Mat(2, 2, CV_8UC1, cv::Scalar(0));
  {
    auto f = wire::encode({"ocr", p});
    f.pop_back();
    EXPECT_NE(reason_of(f).find("frames"), std::string::npos);
  }
  {
    auto f = wire::encode({"ocr", p});
    f[0] = zmq::message_t(std::string("intake.page/2"));
    EXPECT_NE(reason_of(f).find("magic"), std::string::npos);
  }
  {
    auto f = wire::encode({"ocr", p});
    f[1] = zmq::message_t(std::string("{not json"));
    EXPECT_NE(reason_of(f).find("malformed"), std::string::npos);
  }
  {
    auto f = wire::encode({"ocr", p});
    f[3] = zmq::message_t(std::string("abc"));  // 3 bytes for a 2x2 image
    EXPECT_NE(reason_of(f).find("working image"), std::string::npos);
  }
  {
    auto header = nlohmann::json::parse(wire::encode({"ocr", p})[1].to_string());
    header["work"] = {{"w", 1000000}, {"h", 1000000}};
    auto f = wire::encode({"ocr", p});
    f[1] = zmq::message_t(header.dump());
    EXPECT_NE(reason_of(f).find("out of range"), std::string::npos);
  }
}

// A peer's header nested 300,000 deep once crashed the coordinator (a recursive copy of
// `fields` overflowed the stack before any check). It is refused before it is parsed.
TEST(Wire, RefusesADeeplyNestedHeaderBeforeParsingIt) {
  PageItem p;
  auto header = nlohmann::json::parse(wire::encode({"ocr", p})[1].to_string()).dump();
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  header.replace(header.find("\"fields\":{}"), 11, "\"fields\":" + deep);
  auto f = wire::encode({"ocr", p});
  f[1] = zmq::message_t(header);
  EXPECT_NE(reason_of(f).find("nested deeper than"), std::string::npos) << reason_of(f);
  // Brackets inside strings are text, not nesting.
  p.text = std::string(1000, '[');
  auto ok = wire::encode({"ocr", p});
  EXPECT_EQ(reason_of(ok), "");
}

}  // namespace intake
