#include "routing/latency_tracker.h"

#include <algorithm>
#include <cmath>

namespace switchyard {
namespace {

// A failure's sample: twice the current average, at least one second.
double failure_sample(const std::optional<double>& average) { return std::max(2 * average.value_or(0.0), 1e6); }

// `average` moved toward `sample` by the sample's weight; the sample itself when there is none.
double moved(const std::optional<double>& average, double sample) {
  return average ? LatencyTracker::kWeight * sample + (1 - LatencyTracker::kWeight) * *average : sample;
}

// "provider/model" (provider names hold no '/') in this thread's buffer, valid until the thread's
// next call: no allocation once the buffer has grown to the longest name.
std::string_view route_name(std::string_view provider, std::string_view model) {
  thread_local std::string buffer;
  buffer.assign(provider).push_back('/');
  buffer.append(model);
  return buffer;
}

}  // namespace

std::optional<double> LatencyTracker::folded(std::optional<double> average, const Sum& batch) {
  if (batch.count == 0) return average;
  const double mean = batch.sum / static_cast<double>(batch.count);
  if (!average) return mean;
  const double kept = std::pow(1 - kWeight, static_cast<double>(batch.count));
  return (1 - kept) * mean + kept * *average;
}

void LatencyTracker::Ewma::add(double sample) {
  value = moved(value, sample);
  pending.sum += sample;
  ++pending.count;
}

template <class Change>
void LatencyTracker::update(std::string_view name, Change change) {
  Stripe& stripe = stripes_[NameHash{}(name) % kStripes];
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.routes.find(name);
  if (it == stripe.routes.end()) {
    // Past the bound only while it is full, so a route is never refused below it.
    if (routes_.fetch_add(1, std::memory_order_relaxed) >= kMaxRoutes) {
      routes_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    it = stripe.routes.emplace(std::string(name), Route{}).first;
  }
  change(it->second);
}

template <class Change>
void LatencyTracker::update(std::string_view provider, std::string_view model, Change change) {
  update(route_name(provider, model), change);
}

template <class Read>
std::optional<double> LatencyTracker::read(std::string_view provider, std::string_view model, Read read) const {
  const std::string_view name = route_name(provider, model);
  const Stripe& stripe = stripes_[NameHash{}(name) % kStripes];
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.routes.find(name);
  if (it == stripe.routes.end()) return std::nullopt;
  return read(it->second);
}

void LatencyTracker::record_success(std::string_view provider, std::string_view model, std::chrono::microseconds ttfb) {
  update(provider, model, [&](Route& route) { route.ttfb = moved(route.ttfb, static_cast<double>(ttfb.count())); });
}

void LatencyTracker::record_failure(std::string_view provider, std::string_view model) {
  update(provider, model, [](Route& route) {
    route.ttfb = moved(route.ttfb, failure_sample(route.ttfb));
    route.ttft.add(failure_sample(route.ttft.value));
  });
}

std::optional<double> LatencyTracker::average(std::string_view provider, std::string_view model) const {
  return read(provider, model, [](const Route& route) { return route.ttfb; });
}

void LatencyTracker::record_ttft(std::string_view provider, std::string_view model, std::chrono::microseconds ttft) {
  if (ttft.count() < 0) return;
  update(provider, model, [&](Route& route) { route.ttft.add(static_cast<double>(ttft.count())); });
}

void LatencyTracker::record_tps(std::string_view provider, std::string_view model, double tokens_per_second) {
  if (!std::isfinite(tokens_per_second) || tokens_per_second < 0) return;
  update(provider, model, [&](Route& route) { route.tps.add(tokens_per_second); });
}

std::optional<double> LatencyTracker::ttft(std::string_view provider, std::string_view model) const {
  return read(provider, model, [](const Route& route) { return route.ttft.value; });
}

std::optional<double> LatencyTracker::tps(std::string_view provider, std::string_view model) const {
  return read(provider, model, [](const Route& route) { return route.tps.value; });
}

std::vector<LatencyTracker::RouteSamples> LatencyTracker::take_samples() {
  std::vector<RouteSamples> out;
  for (Stripe& stripe : stripes_) {
    std::lock_guard lock(stripe.mutex);
    for (auto& [name, route] : stripe.routes) {
      if (route.ttft.pending.count == 0 && route.tps.pending.count == 0) continue;
      out.push_back(RouteSamples{name, route.ttft.pending, route.tps.pending});
      route.ttft.pending = route.tps.pending = Sum{};
    }
  }
  return out;
}

void LatencyTracker::install(const std::vector<RouteAverages>& shared) {
  for (const RouteAverages& averages : shared)
    update(averages.route, [&](Route& route) {
      if (averages.ttft) route.ttft.value = folded(averages.ttft, route.ttft.pending);
      if (averages.tps) route.tps.value = folded(averages.tps, route.tps.pending);
    });
}

}  // namespace switchyard
