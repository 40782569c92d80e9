#include "ops/fault_route.hpp"

#include <string>

#include "actors/engines/engine_catalog.hpp"

namespace parley::ops {

route fault_route(std::shared_ptr<engines::engine_catalog> catalog) {
  return {
      "POST", "/faults/{stage}/{kind}/{count}",
      "chaos: the next count calls of stage (stt|agent|tts) throw, hang or slow", true,
      [catalog](const request& req) {
        const auto& stage = req.params.at("stage");
        const auto kind = engines::parse_fault(req.params.at("kind"));
        const auto& count = req.params.at("count");
        if (stage != "stt" && stage != "agent" && stage != "tts")
          return json_error(400, "bad_request", "stage is stt, agent or tts");
        if (!kind) return json_error(400, "bad_request", "kind is throw, hang or slow");
        if (count.empty() || count.size() > 4 ||
            count.find_first_not_of("0123456789") != std::string::npos)
          return json_error(400, "bad_request", "count is a number from 0 to 9999");
        catalog->faults().arm(stage, {*kind, std::chrono::milliseconds(5000)}, std::stoi(count));
        response r;
        r.status = 202;
        r.body = "{\"armed\":\"" + stage + "\"}";
        return r;
      }};
}

}  // namespace parley::ops
