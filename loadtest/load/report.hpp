#pragma once
// The run's reports: JSON for scripts, one self-contained HTML page for people.

#include <nlohmann/json.hpp>
#include <string>

#include "loadtest/load/options.hpp"
#include "loadtest/load/runner.hpp"

namespace parley::load {

nlohmann::json json_report(const options& opts, const run_outcome& run);

// A single HTML file (inline CSS and SVG, nothing fetched) from the JSON report.
std::string html_report(const nlohmann::json& report);

// Writes `text` to `path`; throws std::runtime_error when it cannot.
void write_file(const std::string& path, const std::string& text);

}  // namespace parley::load
