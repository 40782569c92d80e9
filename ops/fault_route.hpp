#pragma once
// The chaos route that makes engines fail on purpose (PARLEY_CHAOS=1 and
// the ops token): POST /faults/{stage}/{kind}/{count}.

#include <memory>

#include "ops/router.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::ops {

// The next `count` engine calls of a stage throw, hang (5 s) or crawl (1 s).
route fault_route(std::shared_ptr<engines::engine_catalog> catalog);

}  // namespace parley::ops
