// parley-stt-bench: what pocketsphinx's search limit costs and buys, on the
// real recordings Debian ships (pocketsphinx-testdata): LibriVox sentences,
// the "cards" set and goforward, with their transcripts. Each utterance is
// fed as stt_job feeds it (20 ms chunks, a partial every 100 ms), through
// the production engine. CPU time of this thread; compare rows of one run.
//   usage: parley-stt-bench [--data DIR] [--max-hmms N,N,...] [--partial-ms N]

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "actors/stt/pocketsphinx_engine.hpp"
#include "loadtest/client/speech.hpp"
#include "loadtest/client/word_errors.hpp"

namespace {

using namespace parley;

struct utterance {
  std::vector<std::int16_t> pcm;  // 16 kHz
  std::string reference;
};

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A transcript line's words without the sentence marks.
std::string reference_of(const std::string& text) {
  std::string out;
  for (const auto& w : client::words(text))
    if (w != "<s>" && w != "</s>") out += (out.empty() ? "" : " ") + w;
  return out;
}

// "<s> words </s> (id)" lines; the audio is DIR/id.wav (a 44-byte header).
void add_set(std::vector<utterance>& out, const std::string& dir, const std::string& list) {
  std::ifstream in(dir + "/" + list);
  for (std::string line; std::getline(in, line);) {
    const auto open = line.rfind('(');
    if (open == std::string::npos) continue;
    const auto id = line.substr(open + 1, line.find(')', open) - open - 1);
    std::string path = dir;
    path.append("/").append(id).append(".wav");
    auto pcm = client::read_raw16(path);
    pcm.erase(pcm.begin(), pcm.begin() + std::min<std::size_t>(22, pcm.size()));
    out.push_back({std::move(pcm), reference_of(line.substr(0, open))});
  }
}

struct result {
  std::size_t errors = 0, reference_words = 0;
  double cpu_s = 0, audio_s = 0, finish_s = 0;
};

result run(const std::vector<utterance>& set, int max_hmms, std::size_t partial_every) {
  stt::pocketsphinx_config cfg;
  cfg.max_hmms_per_frame = max_hmms;
  stt::pocketsphinx_engine engine(cfg);
  auto rec = engine.make_recognizer();
  result r;
  for (const auto& u : set) {
    const double t0 = thread_cpu_s();
    rec->begin();
    for (std::size_t i = 0; i < u.pcm.size(); i += 320) {
      rec->feed(u.pcm.data() + i, std::min<std::size_t>(320, u.pcm.size() - i));
      if (i % partial_every == 0) (void)rec->partial();
    }
    const double t1 = thread_cpu_s();
    const auto text = rec->finish();
    const double t2 = thread_cpu_s();
    r.cpu_s += t2 - t0;
    r.finish_s += t2 - t1;
    r.audio_s += static_cast<double>(u.pcm.size()) / 16000.0;
    r.errors += client::word_errors(u.reference, text);
    r.reference_words += client::words(u.reference).size();
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "/usr/share/pocketsphinx/test/data";
  std::vector<int> limits = {30000, 3000, 2000, 1500};
  int partial_ms = 100;  // as stt::recognition asks for them
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    if (std::strcmp(argv[i], "--partial-ms") == 0)
      partial_ms = std::max(20, std::stoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--max-hmms") == 0) {
      limits.clear();
      std::istringstream in(argv[i + 1]);
      for (std::string n; std::getline(in, n, ',');) limits.push_back(std::stoi(n));
    }
  }
  std::vector<utterance> set;
  set.push_back({client::read_raw16(data + "/goforward.raw"), "go forward ten meters"});
  add_set(set, data + "/librivox", "transcription");
  add_set(set, data + "/cards", "cards.transcription");
  std::printf("%zu utterances from %s; 20 ms chunks, a partial every %d ms.\n\n", set.size(),
              data.c_str(), partial_ms);
  const std::size_t partial_every = static_cast<std::size_t>(partial_ms / 20) * 320;
  std::printf(
      "| max HMMs per frame | word errors | WER %% | real-time factor | finish mean ms |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: |\n");
  for (int limit : limits) {
    const auto r = run(set, limit, partial_every);
    std::printf("| %d | %zu / %zu | %.1f | %.3f | %.1f |\n", limit, r.errors, r.reference_words,
                100.0 * static_cast<double>(r.errors) / static_cast<double>(r.reference_words),
                r.cpu_s / r.audio_s, 1000.0 * r.finish_s / static_cast<double>(set.size()));
  }
  return 0;
}
