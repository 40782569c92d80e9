#include <algorithm>
#include <caf/all.hpp>

#include "actors/agent/command_agent.hpp"
#include "actors/engines/engine_catalog.hpp"
#include "actors/stt/null_stt_engine.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "actors/tts/espeak_engine.hpp"
#include "actors/tts/flite_engine.hpp"
#include "actors/tts/null_tts_engine.hpp"
#include "runtime/common/log.hpp"

namespace parley::engines {
namespace {

using loader = std::function<void(engine_catalog&)>;

void load_stt(engine_catalog& c, const engine_settings& s) {
  if (s.stt == "null") {
    // A null recogniser costs a few bytes: one per admitted speaker, so the
    // overhead benchmarks never queue for one (a speaker holds its
    // recogniser for the whole utterance).
    stt::null_engine engine;
    const auto n = std::max(s.stt_decoders, s.max_speakers);
    c.publish(std::make_shared<stt::recognizer_pool>(engine, n, n));
    return;
  }
  stt::pocketsphinx_config cfg;
  cfg.model_dir = s.stt_model_dir;
  if (s.stt == "openai") {
    // Each recogniser holds a pocketsphinx decoder too (fed all along, the
    // fallback costs no decode time): the pool stays PARLEY_STT_DECODERS big.
    stt::fallback_engine engine(std::make_shared<stt::openai_stt_engine>(s.stt_openai),
                                std::make_shared<stt::pocketsphinx_engine>(cfg), s.stt_status);
    c.publish(std::make_shared<stt::recognizer_pool>(engine, s.stt_decoders));
    return;
  }
  stt::pocketsphinx_engine engine(cfg);
  c.publish(std::make_shared<stt::recognizer_pool>(engine, s.stt_decoders));
}

void load_tts(engine_catalog& c, const engine_settings& s) {
  if (s.tts == "null")
    c.publish(std::shared_ptr<tts::tts_engine>(std::make_shared<tts::null_engine>()));
  else if (s.tts == "espeak")
    c.publish(std::shared_ptr<tts::tts_engine>(std::make_shared<tts::espeak_engine>()));
  else
    c.publish(std::shared_ptr<tts::tts_engine>(std::make_shared<tts::flite_engine>()));
}

void load_agent(engine_catalog& c, const engine_settings& s, const agent::agent_facts& facts) {
  std::shared_ptr<agent::agent_engine> e;
  if (s.agent == "openai")
    e = std::make_shared<agent::openai_agent>(s.openai);
  else if (s.agent == "echo")
    e = std::make_shared<agent::echo_agent>();
  else
    e = std::make_shared<agent::command_agent>(facts);
  c.publish(std::move(e));
}

runtime::child_spec host(const std::string& engine, const std::string& name,
                         std::shared_ptr<engine_catalog> catalog, loader load) {
  runtime::child_spec c;
  c.kind = "engine_host";
  c.tags = {{"engine", engine}, {"name", name}};
  c.start = [catalog, load, engine, name](caf::local_actor* sup,
                                          const runtime::child_context& ctx) {
    // Detached: loading models blocks for up to a second and must not hold
    // a scheduler thread.
    return sup->spawn<caf::detached>(
        [catalog, load, engine, name, ctx](caf::event_based_actor* self) {
          const auto t0 = std::chrono::steady_clock::now();
          load(*catalog);
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
          log::info("engines", "engine loaded",
                    {{"engine", engine}, {"name", name}, {"load_ms", std::to_string(ms)}});
          runtime::announce_ready(self, ctx.supervisor, ctx.id);
          return caf::behavior{[](caf::get_atom) { return true; }};
        });
  };
  return c;
}

}  // namespace

std::vector<runtime::child_spec> engine_hosts(std::shared_ptr<engine_catalog> catalog,
                                              engine_settings settings, agent::agent_facts facts) {
  return {
      host("stt", settings.stt, catalog, [settings](engine_catalog& c) { load_stt(c, settings); }),
      host("tts", settings.tts, catalog, [settings](engine_catalog& c) { load_tts(c, settings); }),
      host("agent", settings.agent, catalog,
           [settings, facts](engine_catalog& c) { load_agent(c, settings, facts); }),
  };
}

}  // namespace parley::engines
