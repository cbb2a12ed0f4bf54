#include "tools/intake/receipt.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include <fmt/core.h>

#include <memory>
#include <stdexcept>

#include "pipeline/dossier/local_time.h"
#include "pipeline/env.h"
#include "pipeline/text.h"

namespace intake {
namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageW = 148 * kMm, kPageH = 210 * kMm;  // A5
constexpr double kMargin = 12 * kMm;
const std::string kGap = "……………………";  // printed where a value is not known

enum class Face { Regular, Bold, Italic };

// FreeType faces from explicit files: the slip must never fall back to a font without Vietnamese
// glyphs. The cairo font face owns the FT_Face (released by cairo when it no longer needs it).
class Fonts {
 public:
  explicit Fonts(const std::filesystem::path& dir) {
    if (FT_Init_FreeType(&library_) != 0) throw std::runtime_error("cannot start FreeType");
    faces_[0] = load(dir / "DejaVuSerif.ttf");
    faces_[1] = load(dir / "DejaVuSerif-Bold.ttf");
    faces_[2] = load(dir / "DejaVuSerif-Italic.ttf");
  }
  ~Fonts() {
    for (auto* f : faces_)
      if (f) cairo_font_face_destroy(f);
    // FT_Done_FreeType would free faces cairo may still cache; the library lives with the process.
  }
  Fonts(const Fonts&) = delete;
  Fonts& operator=(const Fonts&) = delete;
  cairo_font_face_t* get(Face f) const { return faces_[static_cast<int>(f)]; }

 private:
  cairo_font_face_t* load(const std::filesystem::path& file) {
    FT_Face face = nullptr;
    if (FT_New_Face(library_, file.c_str(), 0, &face) != 0)
      throw std::runtime_error(file.string() + ": cannot load font (Debian packages fonts-dejavu-core, -extra)");
    cairo_font_face_t* cf = cairo_ft_font_face_create_for_ft_face(face, 0);
    static const cairo_user_data_key_t key{};
    if (cairo_font_face_set_user_data(cf, &key, face, [](void* p) { FT_Done_Face(static_cast<FT_Face>(p)); }) !=
        CAIRO_STATUS_SUCCESS) {
      cairo_font_face_destroy(cf);
      FT_Done_Face(face);
      throw std::runtime_error("cannot attach font " + file.string());
    }
    return cf;
  }
  FT_Library library_ = nullptr;
  cairo_font_face_t* faces_[3] = {nullptr, nullptr, nullptr};
};

// Top-down text layout on A5 pages, with word wrap and page breaks.
class Writer {
 public:
  Writer(cairo_t* cr, const Fonts& fonts) : cr_(cr), fonts_(fonts) {}

  double y = kMargin;

  void font(Face f, double size) {
    cairo_set_font_face(cr_, fonts_.get(f));
    cairo_set_font_size(cr_, size);
    size_ = size;
  }
  double width(const std::string& s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }
  void at(double x, double baseline, const std::string& s) {
    cairo_move_to(cr_, x, baseline);
    cairo_show_text(cr_, s.c_str());
  }
  void centred(double left, double right, double baseline, const std::string& s) {
    at(left + (right - left - width(s)) / 2, baseline, s);
  }
  // Wraps `s` between left and right, the first line after `indent`, then hanging at `hang`.
  void paragraph(const std::string& s, double indent = 0, double hang = 0, double left = kMargin,
                 double right = kPageW - kMargin) {
    const double lead = size_ * 1.38;
    std::string line;
    double x0 = left + indent;
    auto flush = [&] {
      need(lead);
      y += lead;
      at(x0, y - size_ * 0.3, line);
      line.clear();
      x0 = left + hang;
    };
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      const std::string word = s.substr(pos, end - pos);
      pos = end + 1;
      const std::string candidate = line.empty() ? word : line + " " + word;
      if (!line.empty() && x0 + width(candidate) > right) flush();
      line = line.empty() ? word : line + " " + word;
    }
    if (!line.empty()) flush();
  }
  // Starts a new page unless `h` more points fit on this one.
  void need(double h) {
    if (y + h <= kPageH - kMargin) return;
    cairo_show_page(cr_);
    y = kMargin;
  }
  void rule(double x0, double x1, double at_y) {
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, x0, at_y);
    cairo_line_to(cr_, x1, at_y);
    cairo_stroke(cr_);
  }
  void modules(const ZXing::BitMatrix& m, double x, double top, double module_w, double module_h) {
    for (int r = 0; r < m.height(); ++r)
      for (int c = 0; c < m.width();) {
        if (!m.get(c, r)) {
          ++c;
          continue;
        }
        int run = 1;
        while (c + run < m.width() && m.get(c + run, r)) ++run;
        cairo_rectangle(cr_, x + c * module_w, top + r * module_h, run * module_w, module_h);
        c += run;
      }
    cairo_fill(cr_);
  }

 private:
  cairo_t* cr_;
  const Fonts& fonts_;
  double size_ = 10;
};

// A value as printed: squeezed, or "" when the record has none.
std::string field(const std::optional<std::string>& v) { return v ? text::squeeze(*v) : ""; }

std::string date_words(const std::string& ymd) {
  if (ymd.size() < 10) return kGap;
  return fmt::format("ngày {} tháng {} năm {}", ymd.substr(8, 2), ymd.substr(5, 2), ymd.substr(0, 4));
}

}  // namespace

std::string document_type_name(const std::string& type) {
  if (type == "application_form") return "Tờ khai, đơn đề nghị";
  if (type == "id_card") return "Bản sao Căn cước công dân / Chứng minh nhân dân";
  if (type == "supporting_document") return "Giấy tờ kèm theo";
  if (type == "envelope") return "Phong bì bưu gửi";
  return type;
}

namespace {

// One slip, from the top of a fresh page; the fields it left blank.
std::vector<std::string> draw_slip(Writer& w, const DossierRecord& record, const ReceiptContext& ctx) {
  const std::string code = field(record.dossier_code);
  if (code.empty()) throw std::runtime_error("the dossier has no dossier code yet: no receipt");
  std::vector<std::string> blanks;
  // A value, or the gap to fill in by hand (named in the blanks).
  auto value = [&](const std::optional<std::string>& v, const char* name) {
    const std::string s = field(v);
    if (s.empty()) blanks.push_back(name);
    return s.empty() ? kGap : s;
  };

  // Documents received: everything but the envelope that carried them, blank pages not counted.
  struct Received {
    std::string type;
    int pages;
  };
  std::vector<Received> documents;
  int page_count = 0;
  for (const auto& d : record.documents) {
    if (d.type.empty() || d.type == name_of(PageType::envelope)) continue;
    const int n = static_cast<int>(d.pages.size());
    documents.push_back({d.type, n});
    page_count += n;
  }

  const Procedure* proc = ctx.catalog ? ctx.catalog->find(field(record.procedure.id)) : nullptr;
  const std::string department_id = field(record.department);
  std::string department;
  if (ctx.catalog && ctx.catalog->departments().count(department_id)) department = ctx.catalog->departments().at(department_id);

  // Header: the receiving body on the left, the national motto on the right.
  const double mid = kPageW * 0.42;
  w.font(Face::Bold, 8);
  const std::string agency = ctx.agency_name.empty() ? kGap : text::upper(ctx.agency_name);
  w.centred(kMargin - 6, mid, w.y + 8, agency);
  w.centred(kMargin - 6, mid, w.y + 18, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ");
  w.rule((kMargin + mid) / 2 - 24, (kMargin + mid) / 2 + 18, w.y + 25);
  w.centred(mid, kPageW - kMargin + 6, w.y + 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
  w.centred(mid, kPageW - kMargin + 6, w.y + 18, "Độc lập - Tự do - Hạnh phúc");
  w.rule((mid + kPageW - kMargin) / 2 - 46, (mid + kPageW - kMargin) / 2 + 50, w.y + 25);
  w.y += 40;
  w.font(Face::Bold, 11);
  w.centred(kMargin, kPageW - kMargin, w.y, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
  w.font(Face::Regular, 9.5);
  w.centred(kMargin, kPageW - kMargin, w.y + 14, "Mã hồ sơ: " + code);
  w.y += 20;

  w.font(Face::Regular, 9);
  w.paragraph("Bộ phận tiếp nhận và trả kết quả " + (ctx.agency_name.empty() ? kGap : ctx.agency_name) +
              " đã tiếp nhận hồ sơ của:");
  w.paragraph("Ông/bà: " + value(record.applicant.full_name, "applicant.full_name"));
  w.paragraph("Số định danh cá nhân: " + value(record.applicant.id_number, "applicant.id_number"));
  w.paragraph("Địa chỉ: " + value(record.applicant.address, "applicant.address"), 0, 12);
  const std::string phone = field(record.sender.phone);
  w.paragraph("Số điện thoại: " + (phone.empty() ? kGap : phone));
  std::string requested = value(record.procedure.name, "procedure.name");
  if (const auto c = field(record.procedure.code); !c.empty()) requested += " (mã thủ tục " + c + ")";
  w.paragraph("Nội dung yêu cầu giải quyết: " + requested, 0, 12);
  if (!department.empty()) w.paragraph("Cơ quan giải quyết: " + department, 0, 12);

  w.paragraph("1. Thành phần hồ sơ nộp gồm:");
  if (documents.empty()) {
    blanks.push_back("documents");
    w.paragraph("- " + kGap, 10, 16);
  }
  for (std::size_t i = 0; i < documents.size(); ++i)
    w.paragraph(fmt::format("{}) {}: {} trang", i + 1, document_type_name(documents[i].type), documents[i].pages), 10, 22);
  w.paragraph(fmt::format("2. Số lượng hồ sơ: 01 bộ, {} trang.", page_count));
  if (proc && proc->working_days > 0)
    w.paragraph(fmt::format("3. Thời gian giải quyết hồ sơ theo quy định: {} ngày làm việc.", proc->working_days), 0, 12);
  else
    w.paragraph("3. Thời gian giải quyết hồ sơ theo quy định: " + kGap + " ngày làm việc.", 0, 12);

  const auto rt = LocalTime::parse(record.received_at);
  if (!rt) blanks.push_back("received_at");
  const std::string tracking = field(record.tracking_number);
  std::string received =
      "4. Thời gian nhận hồ sơ: " +
      (!rt ? kGap
           : fmt::format("{:02} giờ {:02} phút, ngày {:02} tháng {:02} năm {}", rt->hour, rt->minute,
                         static_cast<unsigned>(rt->date.day()), static_cast<unsigned>(rt->date.month()),
                         static_cast<int>(rt->date.year())));
  const std::string channel = text::squeeze(record.channel);
  const bool postal = channel.empty() || channel == "postal";
  if (postal)
    received += ", qua dịch vụ bưu chính" + (tracking.empty() ? std::string(" (không đọc được số hiệu bưu gửi)")
                                                              : " (số hiệu bưu gửi " + tracking + ")");
  w.paragraph(received + ".", 0, 12);
  const std::string due = field(record.due_date);
  if (due.empty()) blanks.push_back("due_date");
  w.paragraph("5. Thời gian trả kết quả giải quyết hồ sơ: " + (due.empty() ? kGap : date_words(due)) + ".", 0, 12);
  if (postal) {
    std::string to = field(record.sender.name);
    const std::string address = field(record.sender.address);
    if (address.empty()) blanks.push_back("sender.address");
    to = (to.empty() ? "" : to + ", ") + (address.empty() ? kGap : address);
    w.paragraph("6. Hình thức nhận kết quả: qua dịch vụ bưu chính công ích, gửi về địa chỉ người gửi: " + to + ".", 0, 12);
  } else if (channel == "electronic") {
    w.paragraph("6. Hình thức nhận kết quả: trực tuyến, qua Cổng dịch vụ công.", 0, 12);
  } else {
    w.paragraph("6. Hình thức nhận kết quả: trực tiếp tại Bộ phận tiếp nhận và trả kết quả.", 0, 12);
  }

  // Signature of the receiving officer, on the right.
  w.need(64);
  w.y += 10;
  const double sig_left = kPageW * 0.5;
  w.font(Face::Bold, 9);
  w.centred(sig_left, kPageW - kMargin, w.y + 9, "NGƯỜI TIẾP NHẬN HỒ SƠ");
  w.font(Face::Italic, 8.5);
  w.centred(sig_left, kPageW - kMargin, w.y + 20, "(Ký và ghi rõ họ tên)");
  w.y += 20;

  // The code in machine-readable form: Code 128 with the text under it, QR beside it.
  const double qr_side = 24 * kMm;
  const double bottom = kPageH - kMargin;
  if (w.y + qr_side + 6 > bottom) w.need(kPageH);  // a fresh page when it does not fit
  const double top = std::max(w.y + 6, bottom - qr_side);
  ZXing::MultiFormatWriter linear(ZXing::BarcodeFormat::Code128);
  linear.setMargin(0);
  const ZXing::BitMatrix bars = linear.encode(std::wstring(code.begin(), code.end()), 1, 1);
  const double module = std::min(0.4 * kMm, (kPageW - 2 * kMargin - qr_side - 12 * kMm) / bars.width());
  w.modules(bars, kMargin + 4 * kMm, top, module, (qr_side - 12) / std::max(1, bars.height()));
  w.font(Face::Regular, 8);
  w.centred(kMargin + 4 * kMm, kMargin + 4 * kMm + bars.width() * module, top + qr_side, code);
  ZXing::MultiFormatWriter square(ZXing::BarcodeFormat::QRCode);
  square.setMargin(0).setEncoding(ZXing::CharacterSet::UTF8);
  const ZXing::BitMatrix qr = square.encode(std::wstring(code.begin(), code.end()), 1, 1);
  const double cell = qr_side / qr.width();
  w.modules(qr, kPageW - kMargin - qr_side, top, cell, cell);
  return blanks;
}

}  // namespace

std::string receipts_pdf(const std::vector<DossierRecord>& records, const ReceiptContext& ctx,
                         std::vector<std::vector<std::string>>* blanks) {
  if (records.empty()) throw std::runtime_error("no dossier: no receipt");
  const Fonts fonts(ctx.fonts_dir);
  // The PDF is made in memory; the caller writes it whole (through the Env, pipeline/env.h).
  std::string pdf;
  const cairo_write_func_t append = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(append, &pdf, kPageW, kPageH), &cairo_surface_destroy);
  const std::string title = records.size() == 1
                                ? field(records.front().dossier_code)
                                : fmt::format("{} hồ sơ, lô {}", records.size(), records.front().batch_id);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả " + title).c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "intake");
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  Writer w(cr.get(), fonts);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) {  // each slip on a page of its own, to cut apart
      cairo_show_page(cr.get());
      w.y = kMargin;
    }
    auto left_blank = draw_slip(w, records[i], ctx);
    if (blanks) blanks->push_back(std::move(left_blank));
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (const auto status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cannot make the PDF: ") + cairo_status_to_string(status));
  surface.reset();
  return pdf;
}

std::vector<std::string> write_receipt(const DossierRecord& record, const ReceiptContext& ctx,
                                       const std::filesystem::path& out) {
  std::vector<std::vector<std::string>> blanks;
  const std::string pdf = receipts_pdf({record}, ctx, &blanks);
  write_export(out, pdf);
  return blanks.front();
}

}  // namespace intake
