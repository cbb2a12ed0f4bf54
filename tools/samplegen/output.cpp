#include "output.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <opencv2/imgcodecs.hpp>

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

// A4 PDF, one full-page image per page, placed at 200 dpi.
std::vector<cv::Mat> writePdf(const std::filesystem::path& path, const std::vector<cv::Mat>& pages, int jpegQuality)
{
    const double widthPt = 210.0 / 25.4 * 72.0, heightPt = 297.0 / 25.4 * 72.0;
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> pdf(
        cairo_pdf_surface_create(path.c_str(), widthPt, heightPt), &cairo_surface_destroy);
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
    for (const cv::Mat& page : pages) {
        CV_Assert(page.type() == CV_8UC1);
        const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, page.cols);
        std::vector<unsigned char>& pixels = buffers.emplace_back(static_cast<std::size_t>(stride) * static_cast<std::size_t>(page.rows));
        for (int y = 0; y < page.rows; ++y) {
            auto* row = reinterpret_cast<std::uint32_t*>(pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(stride));
            const uchar* src = page.ptr<uchar>(y);
            for (int x = 0; x < page.cols; ++x)
                row[x] = 0xFF000000u | (std::uint32_t{src[x]} << 16) | (std::uint32_t{src[x]} << 8) | src[x];
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
        } else {
            decoded.push_back(page.clone());
        }
        cairo_save(cr.get());
        cairo_scale(cr.get(), 72.0 / kDpi, 72.0 / kDpi);
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
        if (!cv::imwrite(p, pages[0], {cv::IMWRITE_PNG_COMPRESSION, 9}))
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
                                         cv::IMWRITE_TIFF_XDPI, 200, cv::IMWRITE_TIFF_YDPI, 200};
        if (!cv::imwritemulti(p, pages, params))
            fail(path, "cannot write TIFF");
        std::vector<cv::Mat> back;
        if (!cv::imreadmulti(p, back, cv::IMREAD_GRAYSCALE) || back.size() != pages.size())
            fail(path, "cannot read the TIFF pages back");
        return back;
    }
    case FileFormat::Pdf:
        return writePdf(path, pages, options.pdfJpegQuality);
    }
    fail(path, "unknown format");
    return {};
}

} // namespace samplegen
