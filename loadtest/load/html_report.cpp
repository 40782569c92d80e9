// The HTML report: summary tables and inline SVG plots, no external resources.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "loadtest/load/report.hpp"

namespace parley::load {
namespace {

using nlohmann::json;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// 1, 2 or 5 times a power of ten, so axis labels read well.
double nice_step(double range, int ticks) {
  const double raw = std::max(range, 1e-9) / ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

struct frame {
  double w = 960, h = 380, left = 70, right = 20, top = 20, bottom = 50;
  double x_max = 1, y_max = 1;
  double x(double v) const { return left + v / x_max * (w - left - right); }
  double y(double v) const { return h - bottom - v / y_max * (h - top - bottom); }
};

// Grid, ticks and axis titles.
void axes(std::ostream& o, const frame& f, const std::string& x_title, const std::string& y_title) {
  const double xs = nice_step(f.x_max, 10), ys = nice_step(f.y_max, 6);
  for (double v = 0; v <= f.x_max + 1e-9; v += xs)
    o << "<line class='grid' x1='" << num(f.x(v)) << "' x2='" << num(f.x(v)) << "' y1='" << f.top
      << "' y2='" << num(f.y(0)) << "'/><text x='" << num(f.x(v)) << "' y='" << num(f.y(0) + 18)
      << "' text-anchor='middle'>" << num(v, xs < 1 ? 1 : 0) << "</text>";
  for (double v = 0; v <= f.y_max + 1e-9; v += ys)
    o << "<line class='grid' x1='" << f.left << "' x2='" << num(f.w - f.right) << "' y1='"
      << num(f.y(v)) << "' y2='" << num(f.y(v)) << "'/><text x='" << num(f.left - 8) << "' y='"
      << num(f.y(v) + 4) << "' text-anchor='end'>" << num(v, ys < 1 ? 1 : 0) << "</text>";
  o << "<line class='axis' x1='" << f.left << "' x2='" << num(f.w - f.right) << "' y1='"
    << num(f.y(0)) << "' y2='" << num(f.y(0)) << "'/><line class='axis' x1='" << f.left << "' x2='"
    << f.left << "' y1='" << f.top << "' y2='" << num(f.y(0)) << "'/>";
  o << "<text x='" << num((f.left + f.w - f.right) / 2) << "' y='" << num(f.h - 10)
    << "' text-anchor='middle'>" << x_title << "</text><text transform='translate(16 "
    << num((f.top + f.h - f.bottom) / 2) << ") rotate(-90)' text-anchor='middle'>" << y_title
    << "</text>";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

// Every turn as a dot, the median per time slice as a line, p95 dashed.
std::string latency_plot(const json& r) {
  const auto& tl = r["timeline"];
  frame f;
  f.x_max = std::max(1.0, r["duration_s"].get<double>());
  double y_top = 1;
  for (const auto& p : tl) y_top = std::max(y_top, p[1].get<double>());
  f.y_max = nice_step(y_top * 1.1, 6) * std::ceil(y_top * 1.1 / nice_step(y_top * 1.1, 6));
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << f.w << " " << f.h
    << "' role='img' aria-label='turn latency over time'>";
  axes(o, f, "time since start (s)", "turn latency (ms)");
  for (const auto& p : tl)
    o << "<circle class='dot' cx='" << num(f.x(p[0].get<double>())) << "' cy='"
      << num(f.y(p[1].get<double>())) << "' r='2.5'/>";
  const int slices = 40;
  std::vector<std::vector<double>> bins(slices);
  for (const auto& p : tl) {
    const auto i = static_cast<int>(p[0].get<double>() / f.x_max * slices);
    bins[static_cast<std::size_t>(std::clamp(i, 0, slices - 1))].push_back(p[1].get<double>());
  }
  o << "<polyline class='median' points='";
  for (int i = 0; i < slices; ++i)
    if (!bins[i].empty())
      o << num(f.x((i + 0.5) * f.x_max / slices)) << "," << num(f.y(median(bins[i]))) << " ";
  o << "'/>";
  if (!tl.empty()) {
    const double p95 = r["latency_ms"]["p95"].get<double>();
    o << "<line class='p95' x1='" << f.left << "' x2='" << num(f.w - f.right) << "' y1='"
      << num(f.y(p95)) << "' y2='" << num(f.y(p95)) << "'/><text class='p95label' x='"
      << num(f.w - f.right - 4) << "' y='" << num(f.y(p95) - 5) << "' text-anchor='end'>p95 "
      << num(p95, 0) << " ms</text>";
  } else {
    o << "<text x='" << num(f.w / 2) << "' y='" << num(f.h / 2)
      << "' text-anchor='middle'>no answered turns</text>";
  }
  o << "</svg>";
  return o.str();
}

// How the latencies spread: a histogram of 30 bars.
std::string latency_histogram(const json& r) {
  const auto& tl = r["timeline"];
  if (tl.empty()) return "";
  const double lo = r["latency_ms"]["min"].get<double>(), hi = r["latency_ms"]["max"].get<double>();
  const int bars = 30;
  const double width = std::max((hi - lo) / bars, 1e-3);
  std::vector<int> counts(bars, 0);
  for (const auto& p : tl)
    ++counts[static_cast<std::size_t>(
        std::clamp(static_cast<int>((p[1].get<double>() - lo) / width), 0, bars - 1))];
  frame f;
  f.h = 260;
  f.x_max = nice_step(hi, 10) * std::ceil(hi / nice_step(hi, 10));
  f.y_max = std::max(1, *std::max_element(counts.begin(), counts.end())) * 1.1;
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << f.w << " " << f.h
    << "' role='img' aria-label='latency histogram'>";
  axes(o, f, "turn latency (ms; bars " + num(width, 1) + " ms wide)", "turns");
  for (int i = 0; i < bars; ++i) {
    const double from = lo + i * width, to = from + width;
    o << "<rect class='bar' x='" << num(f.x(from)) << "' y='" << num(f.y(counts[i])) << "' width='"
      << num(std::max(f.x(to) - f.x(from) - 1, 0.5)) << "' height='" << num(f.y(0) - f.y(counts[i]))
      << "'><title>" << num(from, 0) << "-" << num(to, 0) << " ms: " << counts[i]
      << " turns</title></rect>";
  }
  o << "</svg>";
  return o.str();
}

std::string row(const std::string& k, const std::string& v, bool bad = false) {
  return "<tr" + std::string(bad ? " class='bad'" : "") + "><th>" + escape(k) + "</th><td>" +
         escape(v) + "</td></tr>";
}

std::string summary_table(const json& r) {
  std::ostringstream o;
  const auto& l = r["latency_ms"];
  const auto& j = r["jitter_ms"];
  auto stat = [](const json& s) {
    return "p50 " + num(s["p50"].get<double>()) + " · p95 " + num(s["p95"].get<double>()) +
           " · p99 " + num(s["p99"].get<double>()) + " · max " + num(s["max"].get<double>()) +
           " · mean " + num(s["mean"].get<double>());
  };
  o << "<table>"
    << row("sessions connected",
           text_of(r["sessions"]["connected"]) + " of " + text_of(r["sessions"]["requested"]))
    << row("turns started / answered / complete", text_of(r["turns"]["started"]) + " / " +
                                                      text_of(r["turns"]["answered"]) + " / " +
                                                      text_of(r["turns"]["complete"]))
    << row("turns interrupted / without reply / abandoned",
           text_of(r["turns"]["interrupted"]) + " / " + text_of(r["turns"]["no_reply"]) + " / " +
               text_of(r["turns"]["abandoned"]))
    << row("turn latency (ms)", stat(l))
    << row("server time, speech_ended to first reply frame (ms)", stat(r["server_ms"]))
    << row("reply frame jitter (ms)", stat(j));
  for (const char* k : {"connect_errors", "protocol_errors", "turn_timeout_errors",
                        "disconnect_errors", "error_events"})
    o << row(k, text_of(r[k]), r[k].get<long>() > 0);
  o << row("client pacer lateness (ms)", stat(r["client"]["pacer_late_ms"])) << "</table>";
  return o.str();
}

std::string details_table(const json& r) {
  std::ostringstream o;
  o << "<table>";
  for (const auto& [k, v] : r["diagnostics"].items())
    for (const auto& [why, n] : v.items())
      o << row(std::string(k).append(": ").append(why), text_of(n), true);
  for (const auto& [k, v] : r["config"].items()) o << row(k, text_of(v));
  o << "</table>";
  return o.str();
}

const char* const style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.sub{color:#666;margin-bottom:16px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e4e4}th{width:40%;font-weight:600}
tr.bad td{color:#b00020;font-weight:600}svg{width:100%;height:auto;background:#fafafa}
svg text{font-size:12px;fill:#444}.grid{stroke:#e6e6e6}.axis{stroke:#888}
.dot{fill:#1f77b4;fill-opacity:.45}.median{fill:none;stroke:#ff7f0e;stroke-width:2.5}
.p95{stroke:#d62728;stroke-dasharray:6 4}.p95label{fill:#d62728}.bar{fill:#1f77b4;fill-opacity:.7}
.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:18px;height:4px;
vertical-align:middle;margin-right:6px}
)";

}  // namespace

std::string html_report(const json& r) {
  std::ostringstream o;
  const auto& c = r["config"];
  o << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>parley-load report "
    << escape(r["started"].get<std::string>()) << "</title><style>" << style
    << "</style></head><body><h1>parley-load report</h1><div class='sub'>"
    << escape(r["started"].get<std::string>()) << " · " << escape(c["url"].get<std::string>())
    << " · " << text_of(c["sessions"]) << " sessions · " << num(r["duration_s"].get<double>())
    << " s · total errors " << text_of(r["total_errors"]) << "</div>";
  o << "<h2>Summary</h2>" << summary_table(r);
  o << "<h2>Turn latency over time</h2><div class='legend'><span><i class='sw' "
       "style='background:#1f77b4;height:8px;width:8px;border-radius:4px'></i>one turn (last "
       "speech frame sent → first reply frame)</span><span><i class='sw' "
       "style='background:#ff7f0e'></i>median per slice</span><span><i class='sw' "
       "style='background:#d62728'></i>p95 of the run</span></div>"
    << latency_plot(r);
  o << "<h2>Latency distribution</h2>" << latency_histogram(r);
  o << "<h2>Details</h2>" << details_table(r) << "</body></html>\n";
  return o.str();
}

}  // namespace parley::load
