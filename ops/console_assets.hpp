#pragma once
// The ops console's page (ops/console/), embedded at build time so the
// binary serves it with no files and nothing fetched at run time.

#include <string>
#include <vector>

#include "ops/router.hpp"

namespace parley::ops {

// GET /ui and its stylesheet and scripts.
std::vector<route> console_routes();

}  // namespace parley::ops
