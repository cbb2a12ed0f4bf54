#include "stages/pix.h"

#include <stdexcept>

namespace intake {

PixPtr pix_from_grey(const cv::Mat& grey) {
  CV_Assert(grey.type() == CV_8UC1);
  PixPtr pix(pixCreate(grey.cols, grey.rows, 8));
  if (!pix) throw std::runtime_error("out of memory creating PIX");
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < grey.rows; ++y) {
    const uchar* src = grey.ptr<uchar>(y);
    l_uint32* line = data + y * wpl;
    for (int x = 0; x < grey.cols; ++x) SET_DATA_BYTE(line, x, src[x]);
  }
  return pix;
}

cv::Mat grey_from_pix(PIX* pix) {
  const int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
  if (d != 1 && d != 8) throw std::runtime_error("unsupported PIX depth " + std::to_string(d));
  cv::Mat out(h, w, CV_8UC1);
  const l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < h; ++y) {
    const l_uint32* line = data + y * wpl;
    uchar* dst = out.ptr<uchar>(y);
    for (int x = 0; x < w; ++x) dst[x] = d == 8 ? GET_DATA_BYTE(line, x) : (GET_DATA_BIT(line, x) ? 0 : 255);
  }
  return out;
}

}  // namespace intake
