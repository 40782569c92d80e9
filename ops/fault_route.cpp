#include "ops/fault_route.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "actors/engines/engine_catalog.hpp"

namespace parley::ops {

namespace {

bool digits(const std::string& s, std::size_t most) {
  return !s.empty() && s.size() <= most && s.find_first_not_of("0123456789") == std::string::npos;
}

std::function<response(const request&)> arm_faults(
    std::shared_ptr<engines::engine_catalog> catalog) {
  return [catalog](const request& req) {
    const auto& stage = req.params.at("stage");
    const auto kind = engines::parse_fault(req.params.at("kind"));
    const auto& count = req.params.at("count");
    const auto ms = req.params.count("ms") != 0 ? req.params.at("ms") : std::string();
    if (stage != "stt" && stage != "agent" && stage != "tts")
      return json_error(400, "bad_request", "stage is stt, agent or tts");
    if (!kind) return json_error(400, "bad_request", "kind is throw, hang or slow");
    if (!digits(count, 4))
      return json_error(400, "bad_request", "count is a number from 0 to 9999");
    if (!ms.empty() && !digits(ms, 5))
      return json_error(400, "bad_request", "ms is a number from 0 to 99999");
    const auto usual = *kind == engines::fault::slow ? 1000 : 5000;
    const std::chrono::milliseconds lasts(ms.empty() ? usual : std::stoi(ms));
    catalog->faults().arm(stage, {*kind, lasts}, std::stoi(count));
    response r;
    r.status = 202;
    r.body = "{\"armed\":\"" + stage + "\"}";
    return r;
  };
}

}  // namespace

std::vector<route> fault_routes(std::shared_ptr<engines::engine_catalog> catalog) {
  return {
      {"POST", "/faults/{stage}/{kind}/{count}",
       "chaos: the next count calls of stage (stt|agent|tts) throw, hang (5 s) or slow (1 s)", true,
       arm_faults(catalog)},
      {"POST", "/faults/{stage}/{kind}/{count}/{ms}",
       "chaos: as above, a hang or slow call lasting ms milliseconds", true, arm_faults(catalog)}};
}

}  // namespace parley::ops
