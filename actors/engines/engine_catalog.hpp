#pragma once
// The engines every session shares, published by the engine_host actors
// under the `engines` supervisor and read by the per-turn jobs. A restarted
// host publishes a fresh engine; jobs holding the old one finish with it.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/agent/agent_engine.hpp"
#include "actors/agent/openai_agent.hpp"
#include "actors/engines/fault_injector.hpp"
#include "actors/stt/deepgram_stt.hpp"
#include "actors/stt/fallback_stt.hpp"
#include "actors/stt/openai_stt.hpp"
#include "actors/stt/recognizer_pool.hpp"
#include "actors/tts/elevenlabs_tts.hpp"
#include "actors/tts/openai_tts.hpp"
#include "actors/tts/reflex_clips.hpp"
#include "actors/tts/synthesizer.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::engines {

struct engine_settings {
  std::string stt = "pocketsphinx";  // pocketsphinx | null | openai | deepgram
  std::size_t stt_decoders = 2;      // pocketsphinx decoders are ~93 MB each
  std::size_t max_speakers = 200;    // connections the server admits at once
  std::string stt_model_dir = "/usr/share/pocketsphinx/model/en-us";
  stt::openai_stt_config stt_openai;      // stt == "openai"
  stt::deepgram_stt_config stt_deepgram;  // stt == "deepgram"
  // A remote stt: the provider's counters, breaker and on-failure policy,
  // kept across engine reloads (and read by the metrics, /health and the
  // host's labels). Null: the engine makes its own (falling back).
  std::shared_ptr<http::provider_status> stt_status;
  std::string tts = "flite";  // flite | espeak | null | openai | elevenlabs (flite as fallback)
  tts::openai_tts_config tts_openai;          // tts == "openai"
  tts::elevenlabs_tts_config tts_elevenlabs;  // tts == "elevenlabs"
  // A remote tts: the provider's counters, breaker and policy, as stt_status.
  // Null: the engine makes its own, with tts_on_failure.
  std::shared_ptr<http::provider_status> tts_status;
  http::on_failure tts_on_failure = http::on_failure::fallback;
  // Said by the tts engine once loaded, for the reflex lane; empty: none made.
  std::vector<std::string> reflex_phrases;
  std::string agent = "commands";  // commands | openai | echo
  agent::openai_config openai;
};

class engine_catalog {
 public:
  std::shared_ptr<stt::recognizer_pool> stt() const { return get(stt_); }
  std::shared_ptr<tts::tts_engine> tts() const { return get(tts_); }
  std::shared_ptr<agent::agent_engine> agent() const { return get(agent_); }
  // The reflex lane's clips, made by the tts engine published with them.
  std::shared_ptr<const tts::reflex_clips> reflex_clips() const { return get(reflex_); }

  void publish(std::shared_ptr<stt::recognizer_pool> p) { set(stt_, std::move(p)); }
  void publish(std::shared_ptr<tts::tts_engine> e) { set(tts_, std::move(e)); }
  void publish(std::shared_ptr<agent::agent_engine> e) { set(agent_, std::move(e)); }
  void publish(std::shared_ptr<const tts::reflex_clips> c) { set(reflex_, std::move(c)); }

  fault_injector& faults() { return faults_; }

 private:
  template <class T>
  std::shared_ptr<T> get(const std::shared_ptr<T>& p) const {
    std::lock_guard<std::mutex> g(mutex_);
    return p;
  }
  template <class T>
  void set(std::shared_ptr<T>& slot, std::shared_ptr<T> p) {
    std::lock_guard<std::mutex> g(mutex_);
    slot = std::move(p);
  }

  mutable std::mutex mutex_;
  std::shared_ptr<stt::recognizer_pool> stt_;
  std::shared_ptr<tts::tts_engine> tts_;
  std::shared_ptr<agent::agent_engine> agent_;
  std::shared_ptr<const tts::reflex_clips> reflex_;
  fault_injector faults_;
};

// One engine_host child per engine: it loads the engine on its own thread,
// publishes it, and announces ready (which is what /readyz waits for).
std::vector<runtime::child_spec> engine_hosts(std::shared_ptr<engine_catalog> catalog,
                                              engine_settings settings, agent::agent_facts facts);

}  // namespace parley::engines
