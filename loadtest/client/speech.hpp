#pragma once
// Recorded speech as a client sends it: 16 kHz PCM in, 20 ms Opus packets out.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "loadtest/client/voice_connection.hpp"

namespace parley::client {

// Reads raw 16 kHz signed 16-bit mono (e.g. pocketsphinx-testdata's goforward.raw).
std::vector<std::int16_t> read_raw16(const std::string& path);

// Upsamples to 48 kHz and encodes 20 ms Opus packets (the last one padded).
std::vector<bytes> encode_speech(const std::vector<std::int16_t>& pcm16k);

// A 20 ms packet of digital silence.
bytes silence_packet();

// What a microphone's encoder sends while nobody speaks, one cycle of it to
// repeat: ~35-byte packets; or, with discontinuous transmission (`dtx`, as
// Discord and WebRTC's usedtx send), 1-byte packets with a refresh frame
// every 400 ms. Taken from a real encoder past its first frames.
std::vector<bytes> silence_packets(bool dtx);

// Sends packets one per 20 ms on an absolute schedule from `start`; returns
// when the last has been sent.
void stream_paced(voice_connection& c, const std::vector<bytes>& packets, clock::time_point start);

}  // namespace parley::client
