#include <algorithm>
#include <caf/all.hpp>

#include "actors/agent/command_agent.hpp"
#include "actors/engines/engine_catalog.hpp"
#include "actors/stt/null_stt_engine.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "actors/tts/espeak_engine.hpp"
#include "actors/tts/fallback_tts.hpp"
#include "actors/tts/flite_engine.hpp"
#include "actors/tts/null_tts_engine.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/registry.hpp"

namespace parley::engines {
namespace {

using loader = std::function<void(engine_catalog&)>;

std::shared_ptr<http::provider_status> stt_status_of(const engine_settings& s) {
  return s.stt_status ? s.stt_status : std::make_shared<http::provider_status>("stt", s.stt);
}

// Falling back, each recogniser holds a pocketsphinx decoder too (fed all
// along, the fallback costs no decode time) and the pool stays
// PARLEY_STT_DECODERS big; without a fallback a remote recogniser costs a
// buffer, and every admitted speaker may hold one.
void publish_remote_stt(engine_catalog& c, const engine_settings& s,
                        std::shared_ptr<stt::stt_engine> remote,
                        std::shared_ptr<http::provider_status> status) {
  const bool fall_back = status->policy == http::on_failure::fallback;
  std::shared_ptr<stt::stt_engine> embedded;
  if (fall_back) {
    stt::pocketsphinx_config cfg;
    cfg.model_dir = s.stt_model_dir;
    embedded = std::make_shared<stt::pocketsphinx_engine>(cfg);
  }
  stt::fallback_engine engine(std::move(remote), std::move(embedded), std::move(status));
  if (fall_back) {
    c.publish(std::make_shared<stt::recognizer_pool>(engine, s.stt_decoders));
    return;
  }
  const auto n = std::max(s.stt_decoders, s.max_speakers);
  c.publish(std::make_shared<stt::recognizer_pool>(engine, n, n));
}

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
    auto status = stt_status_of(s);
    publish_remote_stt(c, s, std::make_shared<stt::openai_stt_engine>(s.stt_openai, status),
                       status);
    return;
  }
  if (s.stt == "deepgram") {
    publish_remote_stt(c, s, std::make_shared<stt::deepgram_stt_engine>(s.stt_deepgram),
                       stt_status_of(s));
    return;
  }
  stt::pocketsphinx_engine engine(cfg);
  c.publish(std::make_shared<stt::recognizer_pool>(engine, s.stt_decoders));
}

// A remote voice over flite, whose 16 kHz is brought up to the provider's 24.
std::shared_ptr<tts::tts_engine> remote_tts(const engine_settings& s) {
  auto status = s.tts_status
                    ? s.tts_status
                    : std::make_shared<http::provider_status>("tts", s.tts, s.tts_on_failure);
  std::shared_ptr<tts::tts_engine> remote;
  if (s.tts == "openai")
    remote = std::make_shared<tts::openai_tts_engine>(s.tts_openai, status);
  else
    remote = std::make_shared<tts::elevenlabs_tts_engine>(s.tts_elevenlabs, status);
  return std::make_shared<tts::fallback_tts_engine>(
      std::move(remote), std::make_shared<tts::flite_engine>(), std::move(status));
}

void load_tts(engine_catalog& c, const engine_settings& s) {
  if (s.tts == "openai" || s.tts == "elevenlabs")
    c.publish(remote_tts(s));
  else if (s.tts == "null")
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

// The reflex lane's clips, said by the engine just published (and so once
// per engine instance), before the host is ready: sessions find them with it.
void make_reflex_clips(engine_catalog& c, const engine_settings& s) {
  auto engine = c.tts();
  if (s.reflex_phrases.empty() || !engine) return;
  auto clips = tts::reflex_clips::make(*engine, s.reflex_phrases);
  log::info("engines", "reflex clips made", {{"clips", std::to_string(clips->size())}});
  c.publish(std::move(clips));
}

// The provider a remote engine uses, as labels of its host in /actors:
// which provider, what happens when it fails, and how it is doing.
void label_provider(runtime::actor_registry& reg, runtime::actor_id id,
                    const http::provider_status& p, const std::string& embedded) {
  const auto s = p.read();
  reg.set_label(id, "provider", s.provider);
  reg.set_label(id, "on_failure", s.policy);
  reg.set_label(id, "fallback", p.policy == http::on_failure::fallback ? embedded : "none");
  reg.set_label(id, "breaker", s.breaker);
  reg.set_label(id, "fallbacks", std::to_string(s.fallbacks));
  reg.set_label(id, "failures", std::to_string(s.failures));
  reg.set_label(id, "last_failure", s.last_failure.substr(0, 160));
}

constexpr auto label_refresh = std::chrono::seconds(1);

runtime::child_spec host(const std::string& engine, const std::string& name,
                         std::shared_ptr<engine_catalog> catalog, loader load,
                         std::shared_ptr<const http::provider_status> provider = nullptr,
                         const std::string& embedded = {}) {
  runtime::child_spec c;
  c.kind = "engine_host";
  c.tags = {{"engine", engine}, {"name", name}};
  c.start = [catalog, load, engine, name, provider, embedded](caf::local_actor* sup,
                                                              const runtime::child_context& ctx) {
    // Detached: loading models blocks for up to a second and must not hold
    // a scheduler thread.
    return sup->spawn<caf::detached>(
        [catalog, load, engine, name, ctx, provider, embedded](caf::event_based_actor* self) {
          const auto t0 = std::chrono::steady_clock::now();
          load(*catalog);
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
          log::info("engines", "engine loaded",
                    {{"engine", engine}, {"name", name}, {"load_ms", std::to_string(ms)}});
          runtime::announce_ready(self, ctx.supervisor, ctx.id);
          const auto refresh = [self, ctx, provider, embedded] {
            if (!provider || ctx.svc == nullptr) return;
            label_provider(ctx.svc->registry, ctx.id, *provider, embedded);
            self->delayed_send(self, label_refresh, caf::update_atom::value);
          };
          refresh();
          return caf::behavior{[](caf::get_atom) { return true; },
                               [refresh](caf::update_atom) { refresh(); }};
        });
  };
  return c;
}

}  // namespace

std::vector<runtime::child_spec> engine_hosts(std::shared_ptr<engine_catalog> catalog,
                                              engine_settings settings, agent::agent_facts facts) {
  return {
      host(
          "stt", settings.stt, catalog, [settings](engine_catalog& c) { load_stt(c, settings); },
          settings.stt_status, "pocketsphinx"),
      host(
          "tts", settings.tts, catalog,
          [settings](engine_catalog& c) {
            load_tts(c, settings);
            make_reflex_clips(c, settings);
          },
          settings.tts_status, "flite"),
      host("agent", settings.agent, catalog,
           [settings, facts](engine_catalog& c) { load_agent(c, settings, facts); }),
  };
}

}  // namespace parley::engines
