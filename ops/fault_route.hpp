#pragma once
// The chaos routes that make engines fail on purpose (PARLEY_CHAOS=1 and
// the ops token): POST /faults/{stage}/{kind}/{count}[/{ms}].

#include <memory>
#include <vector>

#include "ops/router.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::ops {

// The next `count` engine calls of a stage throw, hang (5 s) or crawl (1 s),
// or hang or crawl for `ms`.
std::vector<route> fault_routes(std::shared_ptr<engines::engine_catalog> catalog);

}  // namespace parley::ops
