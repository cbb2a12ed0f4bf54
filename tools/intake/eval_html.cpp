#include "tools/intake/eval_html.h"

#include <algorithm>
#include <set>

#include <fmt/core.h>

namespace intake::eval {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[n >> 18], out += table[(n >> 12) & 63], out += table[(n >> 6) & 63], out += table[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += table[n >> 18], out += table[(n >> 12) & 63], out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += table[n >> 18], out += table[(n >> 12) & 63], out += table[(n >> 6) & 63], out += '=';
  }
  return out;
}

// Horizontal bars, one per label, value in percent.
std::string bar_chart(const std::vector<std::pair<std::string, double>>& bars, const std::string& caption) {
  const int row = 26, label_w = 230, width = 640;
  double max = 1.0;
  for (const auto& [l, v] : bars) max = std::max(max, v);
  std::string svg = fmt::format("<figure><svg width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">", width,
                                row * bars.size() + 10, escape(caption));
  int y = 5;
  for (const auto& [label, v] : bars) {
    const double w = (width - label_w - 70) * v / max;
    svg += fmt::format(
        "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text><rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" "
        "fill=\"#3a6ea5\"/><text x=\"{:.1f}\" y=\"{}\" font-size=\"13\">{:.2f}%</text>",
        y + 14, escape(label), label_w, y, w, label_w + w + 6, y + 14, v);
    y += row;
  }
  return svg + "</svg><figcaption>" + escape(caption) + "</figcaption></figure>";
}

}  // namespace

std::string to_html(const Report& r, const std::string& title, const Thumbnailer& thumbnail) {
  std::string h = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>intake eval: " + escape(title) +
                  "</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:"
                  "collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                  "td:first-child,th:first-child{text-align:left}.pages{display:flex;flex-wrap:wrap;gap:12px}"
                  ".page{width:250px;font-size:12px}.page img{width:240px;border:1px solid #999}</style></head><body>";
  h += "<h1>intake eval: " + escape(title) + "</h1>";
  h += fmt::format("<p>{} batches, {} pages, {} dossiers in the truth ({} found).</p>", r.batches, r.pages,
                   r.truth_dossiers, r.predicted_dossiers);
  h += "<h2>Summary</h2><table><tr><th>measure</th><th>value</th></tr>";
  h += fmt::format("<tr><td>dossier grouping</td><td>{:.1f}% ({}/{})</td></tr>", 100 * r.grouping_rate(),
                   r.grouping_exact, r.truth_dossiers);
  for (const auto& [name, s] : r.fields)
    h += fmt::format(
        "<tr><td>{}</td><td>{:.1f}% &middot; {} misread &middot; {} missed &middot; <strong>{} "
        "silent</strong></td></tr>",
        escape(name), 100 * s.accuracy(), s.misread, s.missed, s.silent);
  h += fmt::format("<tr><td>page type</td><td>{:.1f}%</td></tr>", 100 * r.page_type_accuracy());
  h += fmt::format("<tr><td>review precision / recall</td><td>{:.1f}% / {:.1f}%</td></tr>", 100 * r.review_precision(),
                   100 * r.review_recall());
  h += fmt::format("<tr><td>straight through (no review)</td><td>{:.1f}% ({}/{})</td></tr>",
                   100 * r.straight_through_rate(), r.straight_through, r.truth_dossiers);
  h += fmt::format("<tr><td>silent errors (wrong, not flagged)</td><td><strong>{} dossiers</strong></td></tr></table>",
                   r.silent_dossiers());
  std::string silent;
  for (const auto& e : silent_errors(r))
    silent += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", escape(e.batch),
                          e.first_page, escape(e.field), escape(e.truth.dump()), escape(e.got.dump()));
  if (!silent.empty())
    h += "<h2>Silent errors</h2><table><tr><th>batch</th><th>first page</th><th>field</th><th>truth</th><th>read</th>"
         "</tr>" +
         silent + "</table>";

  std::set<std::string> predicted;
  for (const auto& [t, row] : r.confusion)
    for (const auto& [p, n] : row) predicted.insert(p);
  h += "<h2>Page types</h2><table><tr><th>truth \\ predicted</th>";
  for (const auto& p : predicted) h += "<th>" + escape(p) + "</th>";
  h += "</tr>";
  for (const auto& [t, row] : r.confusion) {
    int total = 0;
    for (const auto& [p, n] : row) total += n;
    h += "<tr><td>" + escape(t) + "</td>";
    for (const auto& p : predicted) {
      const int n = row.count(p) ? row.at(p) : 0;
      const double share = total ? static_cast<double>(n) / total : 0.0;
      const std::string colour = p == t ? fmt::format("rgba(40,140,60,{:.2f})", share)
                                        : fmt::format("rgba(200,40,40,{:.2f})", share);
      h += fmt::format("<td style=\"background:{}\">{}</td>", n ? colour : "transparent", n ? std::to_string(n) : "");
    }
    h += "</tr>";
  }
  h += "</table>";
  if (!r.confusion_signals.empty()) {
    h += "<h2>Confusions by the signal that decided them</h2><table><tr><th>truth &rarr; predicted</th>"
         "<th>deciding signal</th><th>pages</th></tr>";
    for (const auto& [pair, signals] : r.confusion_signals)
      for (const auto& [signal, n] : signals)
        h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(pair), escape(signal), n);
    h += "</table>";
  }
  if (!r.grouping_causes.empty()) {
    h += "<h2>Dossiers not grouped exactly, by cause</h2><table><tr><th>cause</th><th>dossiers</th></tr>";
    for (const auto& [cause, n] : r.grouping_causes)
      h += fmt::format("<tr><td>{}</td><td>{}</td></tr>", escape(cause), n);
    h += "</table>";
  }

  std::vector<std::pair<std::string, double>> by_type, by_condition;
  for (const auto& [type, c] : r.cer_by_type) by_type.emplace_back(type, 100 * r.cer(type));
  for (const auto& [label, c] : r.cer_by_condition)
    by_condition.emplace_back(label, c.second ? 100.0 * c.first / c.second : 0.0);
  h += "<h2>OCR character error rate</h2>" + bar_chart(by_type, "CER per page type");
  if (!by_condition.empty()) h += bar_chart(by_condition, "CER per scan condition");

  h += "<h2>Worst pages</h2><div class=\"pages\">";
  for (std::size_t i = 0; i < std::min<std::size_t>(r.problems.size(), 24); ++i) {
    const auto& p = r.problems[i];
    const std::string png = thumbnail ? thumbnail(p) : std::string();
    h += "<div class=\"page\">";
    if (!png.empty()) h += "<img alt=\"page " + std::to_string(p.number) + "\" src=\"data:image/png;base64," + base64(png) + "\">";
    h += fmt::format("<div><b>{} page {}</b> ({} p{})<br>{}</div></div>", escape(p.batch), p.number,
                     escape(p.source_file), p.source_page, escape(p.what));
  }
  return h + "</div></body></html>\n";
}

}  // namespace intake::eval
