#include "output.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace samplegen {

namespace {

constexpr double kDpi = 200.0;

void fail(const std::filesystem::path& path, const std::string& why)
{
    throw std::runtime_error(path.string() + ": " + why);
}

cv::Mat readOne(const std::filesystem::path& path)
{
    cv::Mat m = cv::imread(path.string(), cv::IMREAD_GRAYSCALE);
    if (m.empty())
        fail(path, "cannot read back");
    return m;
}

// PDF, one full-page image per page: A4 at 200 dpi (dpi empty), or each page the size of its
// image at its own resolution.
std::vector<cv::Mat> writePdf(const std::filesystem::path& path, const std::vector<cv::Mat>& pages, int jpegQuality,
                              const std::vector<int>& dpi)
{
    if (!dpi.empty() && dpi.size() != pages.size())
        fail(path, "one resolution per PDF page needed");
    const double widthPt = 210.0 / 25.4 * 72.0, heightPt = 297.0 / 25.4 * 72.0;
    auto pageSize = [&](std::size_t i, double& w, double& h) {
        if (dpi.empty()) {
            w = widthPt, h = heightPt;
        } else {
            w = pages[i].cols * 72.0 / dpi[i], h = pages[i].rows * 72.0 / dpi[i];
        }
    };
    double w0 = 0, h0 = 0;
    pageSize(0, w0, h0);
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> pdf(
        cairo_pdf_surface_create(path.c_str(), w0, h0), &cairo_surface_destroy);
    // Fixed dates: without them cairo stamps the current time and the file is not reproducible.
    cairo_pdf_surface_set_metadata(pdf.get(), CAIRO_PDF_METADATA_CREATE_DATE, "2026-11-25T08:00:00+07:00");
    cairo_pdf_surface_set_metadata(pdf.get(), CAIRO_PDF_METADATA_MOD_DATE, "2026-11-25T08:00:00+07:00");
    cairo_pdf_surface_set_metadata(pdf.get(), CAIRO_PDF_METADATA_CREATOR, "intake-samplegen");
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(pdf.get()), &cairo_destroy);

    // cairo may read an image and its JPEG data up to cairo_surface_finish: keep them all alive.
    std::vector<std::vector<unsigned char>> buffers;
    std::vector<std::vector<uchar>> jpegs;
    std::vector<std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>> images;
    std::vector<cv::Mat> decoded;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const cv::Mat& page = pages[i];
        CV_Assert(page.type() == CV_8UC1 || page.type() == CV_8UC3);
        const bool colour = page.type() == CV_8UC3;
        if (!dpi.empty() && i > 0) {
            double w = 0, h = 0;
            pageSize(i, w, h);
            cairo_pdf_surface_set_size(pdf.get(), w, h);
        }
        const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, page.cols);
        std::vector<unsigned char>& pixels = buffers.emplace_back(static_cast<std::size_t>(stride) * static_cast<std::size_t>(page.rows));
        for (int y = 0; y < page.rows; ++y) {
            auto* row = reinterpret_cast<std::uint32_t*>(pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(stride));
            const uchar* src = page.ptr<uchar>(y);
            if (colour) {
                for (int x = 0; x < page.cols; ++x)
                    row[x] = 0xFF000000u | (std::uint32_t{src[3 * x + 2]} << 16) | (std::uint32_t{src[3 * x + 1]} << 8) | src[3 * x];
            } else {
                for (int x = 0; x < page.cols; ++x)
                    row[x] = 0xFF000000u | (std::uint32_t{src[x]} << 16) | (std::uint32_t{src[x]} << 8) | src[x];
            }
        }
        auto& image = images.emplace_back(
            cairo_image_surface_create_for_data(pixels.data(), CAIRO_FORMAT_RGB24, page.cols, page.rows, stride),
            &cairo_surface_destroy);
        std::vector<uchar>& jpeg = jpegs.emplace_back();
        if (jpegQuality > 0) {
            // Scanners put JPEG streams in their PDFs; cairo embeds the attached data as is.
            cv::imencode(".jpg", page, jpeg, {cv::IMWRITE_JPEG_QUALITY, jpegQuality});
            cairo_surface_set_mime_data(image.get(), CAIRO_MIME_TYPE_JPEG, jpeg.data(), jpeg.size(), nullptr, nullptr);
            decoded.push_back(cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE));
        } else if (colour) {
            cv::Mat g;
            cv::cvtColor(page, g, cv::COLOR_BGR2GRAY);
            decoded.push_back(g);
        } else {
            decoded.push_back(page.clone());
        }
        const double k = 72.0 / (dpi.empty() ? kDpi : dpi[i]);
        cairo_save(cr.get());
        cairo_scale(cr.get(), k, k);
        cairo_set_source_surface(cr.get(), image.get(), 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr.get()), CAIRO_FILTER_GOOD);
        cairo_paint(cr.get());
        cairo_restore(cr.get());
        cairo_show_page(cr.get());
    }
    cr.reset();
    cairo_surface_finish(pdf.get());
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS)
        fail(path, cairo_status_to_string(cairo_surface_status(pdf.get())));
    return decoded;
}

} // namespace

std::vector<cv::Mat> writeScanFile(const std::filesystem::path& path, FileFormat format,
                                   const std::vector<cv::Mat>& pages, const FileOptions& options)
{
    if (pages.empty() || ((format != FileFormat::Tiff && format != FileFormat::Pdf) && pages.size() != 1))
        fail(path, "wrong number of pages for the format");
    const std::string p = path.string();
    switch (format) {
    case FileFormat::Png:
        if (!cv::imwrite(p, pages[0], {cv::IMWRITE_PNG_COMPRESSION, options.pngCompression}))
            fail(path, "cannot write PNG");
        return {readOne(path)};
    case FileFormat::Jpeg:
        if (!cv::imwrite(p, pages[0], {cv::IMWRITE_JPEG_QUALITY, options.jpegQuality}))
            fail(path, "cannot write JPEG");
        return {readOne(path)};
    case FileFormat::Webp:
        if (!cv::imwrite(p, pages[0], {cv::IMWRITE_WEBP_QUALITY, options.webpQuality}))
            fail(path, "cannot write WebP");
        return {readOne(path)};
    case FileFormat::Tiff: {
        const std::vector<int> params = {cv::IMWRITE_TIFF_COMPRESSION, 8 /* Adobe Deflate */, cv::IMWRITE_TIFF_RESUNIT, 2,
                                         cv::IMWRITE_TIFF_XDPI, options.tiffDpi, cv::IMWRITE_TIFF_YDPI, options.tiffDpi};
        if (!cv::imwritemulti(p, pages, params))
            fail(path, "cannot write TIFF");
        std::vector<cv::Mat> back;
        if (!cv::imreadmulti(p, back, cv::IMREAD_GRAYSCALE) || back.size() != pages.size())
            fail(path, "cannot read the TIFF pages back");
        return back;
    }
    case FileFormat::Pdf:
        return writePdf(path, pages, options.pdfJpegQuality, options.pdfDpi);
    }
    fail(path, "unknown format");
    return {};
}

} // namespace samplegen
