#include "ops/routes.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "ops/actor_stream.hpp"
#include "ops/console_assets.hpp"
#include "runtime/common/build_info.hpp"

namespace parley::ops {
namespace {

using nlohmann::json;
using runtime::actor_info;

response json_ok(const json& body, int status = 200) {
  response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

response text(const std::string& body, const std::string& type = "text/plain; charset=utf-8") {
  response r;
  r.content_type = type;
  r.body = body;
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

json node(const actor_info& a, const std::multimap<runtime::actor_id, const actor_info*>& kids) {
  json n = actor_json(a);
  n["children"] = json::array();
  auto range = kids.equal_range(a.id);
  for (auto it = range.first; it != range.second; ++it)
    n["children"].push_back(node(*it->second, kids));
  return n;
}

std::optional<runtime::actor_id> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(s);
}

json tree_of(const std::vector<actor_info>& all, std::optional<runtime::actor_id> only) {
  std::multimap<runtime::actor_id, const actor_info*> kids;
  std::map<runtime::actor_id, const actor_info*> by_id;
  for (const auto& a : all) {
    kids.emplace(a.parent, &a);
    by_id[a.id] = &a;
  }
  if (only) return by_id.count(*only) ? node(*by_id[*only], kids) : json(nullptr);
  json roots = json::array();
  for (const auto& a : all)
    if (a.parent == 0 || by_id.count(a.parent) == 0) roots.push_back(node(a, kids));
  return roots;
}

json version_json() {
  return {{"version", build_info::version},
          {"revision", build_info::revision},
          {"build_time", build_info::build_time}};
}

void add_health_routes(router& r, const ops_context& ctx) {
  r.add({"GET", "/livez", "the process is alive (200)", false, [](const request&) {
           return json_ok({{"status", "alive"}});
         }});
  r.add({"GET", "/readyz", "ready for traffic: tree up, engines loaded, not draining (200/503)",
         false, [&ready = ctx.ready](const request&) {
           auto rep = ready.evaluate();
           return json_ok({{"ready", rep.ready}, {"checks", rep.checks}, {"reasons", rep.reasons}},
                          rep.ready ? 200 : 503);
         }});
  r.add({"GET", "/health", "JSON summary: status, version, uptime, checks", false,
         [ctx](const request&) {
           auto rep = ctx.ready.evaluate();
           const char* status =
               rep.ready ? "ok" : (ctx.ready.draining() ? "draining" : "unavailable");
           json body = version_json();
           body["uptime_s"] = seconds_since(ctx.started);
           body["checks"] = rep.checks;
           body["actors"] = ctx.registry.count();
           if (ctx.providers) {
             body["providers"] = ctx.providers();
             // Still serving (200), through a fallback: worth a look, not a restart.
             for (const auto& p : body["providers"])
               if (rep.ready && p.value("breaker", "closed") != "closed") status = "degraded";
           }
           body["status"] = status;
           return json_ok(body, rep.ready ? 200 : 503);
         }});
  r.add({"GET", "/version", "version, git revision, build time", false,
         [](const request&) { return json_ok(version_json()); }});
  r.add({"GET", "/metrics", "Prometheus text format", false, [&stats = ctx.stats](const request&) {
           return text(stats.serialize(), "text/plain; version=0.0.4; charset=utf-8");
         }});
}

void add_actor_routes(router& r, const ops_context& ctx) {
  r.add({"GET", "/actors", "the live supervision tree", false,
         [&reg = ctx.registry](const request&) { return json_ok(tree_of(reg.snapshot(), {})); }});
  r.add(actor_stream_route(ctx.registry, ctx.chaos));  // before /actors/{id}: "stream" is no id
  r.add({"GET", "/actors/{id}", "one actor and its subtree", false,
         [&reg = ctx.registry](const request& req) {
           auto id = parse_id(req.params.at("id"));
           if (!id) return json_error(400, "bad_request", "actor id must be a positive integer");
           auto n = tree_of(reg.snapshot(), id);
           if (n.is_null()) return json_error(404, "not_found", "no actor " + std::to_string(*id));
           return json_ok(n);
         }});
  if (!ctx.chaos) return;
  r.add({"POST", "/actors/{id}/kill", "chaos: kill the actor (exit_reason::kill)", true,
         [&reg = ctx.registry](const request& req) {
           auto id = parse_id(req.params.at("id"));
           if (!id) return json_error(400, "bad_request", "actor id must be a positive integer");
           auto info = reg.find(*id);
           const auto result = info ? reg.kill(*id) : runtime::kill_result::no_such_actor;
           if (result == runtime::kill_result::no_such_actor)
             return json_error(404, "not_found", "no actor " + std::to_string(*id));
           if (result == runtime::kill_result::between_incarnations)
             return json_error(
                 409, "restarting",
                 "actor " + std::to_string(*id) + " is between incarnations: nothing runs to kill");
           return json_ok({{"killed", *id}, {"kind", info->kind}}, 202);
         }});
}

}  // namespace

std::string actors_json(const runtime::actor_registry& registry) {
  return tree_of(registry.snapshot(), {}).dump();
}

router make_router(const ops_context& ctx) {
  router r(ctx.token);
  add_health_routes(r, ctx);
  add_actor_routes(r, ctx);
  for (auto& page : console_routes()) r.add(std::move(page));
  for (const auto& extra : ctx.extra)
    if (ctx.chaos || !extra.mutates) r.add(extra);
  r.add_help("/help");
  return r;
}

}  // namespace parley::ops
