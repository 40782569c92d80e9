#include "runtime/common/on_demand.hpp"

namespace parley::runtime {

on_demand_children::on_demand_children(std::string label, factory make)
    : label_(std::move(label)), make_(std::move(make)) {}

child_spec on_demand_children::spec(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = specs_.find(key);
  if (it == specs_.end()) {
    auto made = make_(key);
    made.tags[label_] = key;
    it = specs_.emplace(key, std::move(made)).first;
  }
  return it->second;
}

void on_demand_children::forget(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  specs_.erase(key);
}

std::vector<std::string> on_demand_children::keys() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<std::string> out;
  out.reserve(specs_.size());
  for (const auto& [key, spec] : specs_) out.push_back(key);
  return out;
}

void last_incarnations::set(const std::string& child, const caf::actor_addr& running) {
  std::lock_guard<std::mutex> guard(mutex_);
  last_[child] = running;
}

void last_incarnations::erase(const std::string& child) {
  std::lock_guard<std::mutex> guard(mutex_);
  last_.erase(child);
}

caf::actor_addr last_incarnations::get(const std::string& child) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = last_.find(child);
  return it == last_.end() ? caf::actor_addr{} : it->second;
}

}  // namespace parley::runtime
