#pragma once

#include <string>

namespace parley::transport {

// The browser client served at GET / (websocket/page/index.html, embedded).
const std::string& browser_page();

}  // namespace parley::transport
