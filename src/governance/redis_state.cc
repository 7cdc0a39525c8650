// RedisState: quota counters and open circuits shared through Redis, over one hiredis connection.
// Every counter update is one Lua script that reads Redis's clock (TIME), so it is atomic across
// replicas and blind to their clock skew. The keys, all under "sy:":
//   sy:<name>:<minute>  a minute counter (a string), gone at the end of the minute after it
//   sy:<name>           a period counter (a string, gone 40 days after its last write), or a held
//                       counter (a hash: replica id -> the units that replica holds)
//   sy:replica:<id>     says a replica is alive; expires replica_ttl after its last heartbeat
//   sy:breaker          open circuits (a hash: route -> the Unix ms, by Redis time, it stays open until)
//   sy:speed            route speeds (a hash: route -> "<ttft>,<tps>,<Unix ms of its last batch>", a
//                       metric never measured empty); gone speed_ttl after the last batch
#include "governance/redis_state.h"

#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "redis/redis_link.h"

namespace switchyard {
namespace {

constexpr int64_t kPeriodTtlMs = 40LL * 24 * 3600 * 1000;

// Lua numbers are doubles: counts are exact up to 2^53. `int` writes one as Redis reads integers
// (tostring writes large ones in exponent form).
constexpr std::string_view kInt = R"lua(
local function int(n) return string.format('%d', n) end
)lua";

// `now`: Unix ms by Redis's clock.
constexpr std::string_view kNow = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

// The take scripts share ARGV[1..3] = limit, want, partial ("1" or "0") and answer
// {granted, used, bucket, reset_ms, needs_seed}. `granted` as QuotaState::take says: all of
// `want` if it fits, else with `partial` the room left, else nothing.
constexpr std::string_view kGrant = R"lua(
local limit, want = tonumber(ARGV[1]), tonumber(ARGV[2])
local room = math.max(0, limit - used)
local granted = 0
if want <= room then granted = want elseif ARGV[3] == '1' then granted = room end
)lua";

enum Script : std::size_t {
  take_minute,
  take_period,
  take_held,
  give_count,
  give_held,
  charge_minute,
  charge_period,
  publish_route,
  list_routes,
  fold_speed,
  script_count,
};

// Each script's text, by Script.
const std::array<std::string, script_count>& script_texts() {
  static const std::array<std::string, script_count> texts = {
      // KEYS[1] = sy:<name>: counts in sy:<name>:<minute>, which lives to the end of the next minute.
      fmt::format("{}{}{}{}{}", kInt, kNow, R"lua(
local bucket = math.floor(now / 60000)
local key = KEYS[1] .. ':' .. int(bucket)
local used = tonumber(redis.call('GET', key) or '0')
)lua",
                  kGrant, R"lua(
if granted ~= 0 then
  used = redis.call('INCRBY', key, int(granted))
  redis.call('PEXPIREAT', key, int((bucket + 2) * 60000))
end
return {granted, used, bucket, (bucket + 1) * 60000 - now, 0}
)lua"),

      // KEYS[1] = sy:<name>; ARGV[4] = the seed ("" for none), ARGV[5] = its lifetime in ms.
      fmt::format("{}{}{}{}", kInt, R"lua(
local value = redis.call('GET', KEYS[1])
if not value then
  if ARGV[4] == '' then return {0, 0, 0, 0, 1} end
  value = ARGV[4]
  redis.call('SET', KEYS[1], value, 'PX', ARGV[5])
end
local used = tonumber(value)
)lua",
                  kGrant, R"lua(
if granted ~= 0 then
  used = redis.call('INCRBY', KEYS[1], int(granted))
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return {granted, used, 0, 0, 0}
)lua"),

      // KEYS[1] = sy:<name>, a hash of replica -> units; ARGV[4] = this replica, ARGV[5] = how
      // long it stays alive, in ms. Counts the live replicas' units and forgets the others'.
      fmt::format("{}{}{}{}", kInt, R"lua(
redis.call('SET', 'sy:replica:' .. ARGV[4], '1', 'PX', ARGV[5])
local fields = redis.call('HGETALL', KEYS[1])
local used = 0
for i = 1, #fields, 2 do
  if redis.call('EXISTS', 'sy:replica:' .. fields[i]) == 1 then
    used = used + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
)lua",
                  kGrant, R"lua(
if granted ~= 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[4], int(granted))
  used = used + granted
end
return {granted, used, 0, 0, 0}
)lua"),

      // KEYS[1] = a minute or period counter; ARGV[1] = units. Never below zero; a counter that
      // is gone stays gone.
      fmt::format("{}{}", kInt, R"lua(
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('SET', KEYS[1], int(math.max(0, tonumber(value) - tonumber(ARGV[1]))), 'KEEPTTL')
end
)lua"),

      // KEYS[1] = a held counter; ARGV[1] = units, ARGV[2] = this replica. Never below zero.
      fmt::format("{}{}", kInt, R"lua(
local value = redis.call('HGET', KEYS[1], ARGV[2])
if value then
  redis.call('HSET', KEYS[1], ARGV[2], int(math.max(0, tonumber(value) - tonumber(ARGV[1]))))
end
)lua"),

      // KEYS[1] = sy:<name>:<minute>; ARGV[1] = units, ARGV[2] = the minute. A minute long over
      // expires at once.
      fmt::format("{}{}", kInt, R"lua(
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], int((tonumber(ARGV[2]) + 2) * 60000))
)lua"),

      // KEYS[1] = sy:<name>; ARGV[1] = units, ARGV[2] = the lifetime in ms. A counter not held is
      // left alone: the seed its next take needs (from the record store) counts this spend.
      R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCRBY', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
)lua",

      // KEYS[1] = sy:breaker; ARGV[1] = the route, ARGV[2] = ms it stays open. The later end wins.
      fmt::format("{}{}{}", kInt, kNow, R"lua(
local ends = now + tonumber(ARGV[2])
if ends > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], int(ends))
end
)lua"),

      // KEYS[1] = sy:breaker; ARGV[1] = the most routes to list. Answers {route, ms left, ...}
      // and deletes the routes whose time is up.
      fmt::format("{}{}", kNow, R"lua(
local fields = redis.call('HGETALL', KEYS[1])
local open = {}
for i = 1, #fields, 2 do
  local left = tonumber(fields[i + 1]) - now
  if left <= 0 then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif #open < 2 * tonumber(ARGV[1]) then
    open[#open + 1] = fields[i]
    open[#open + 1] = left
  end
end
return open
)lua"),

      // KEYS[1] = sy:speed; ARGV[1] = the weight of one sample, ARGV[2] = ms a route is kept after
      // its last batch, ARGV[3] = the most routes kept; then five per route: route, ttft sum, ttft
      // count, tps sum, tps count. Forgets routes past their time, folds the batches in (a new
      // route only while fewer than the most are kept), answers {route, "<ttft>,<tps>", ...}.
      fmt::format("{}{}{}", kInt, kNow, R"lua(
local weight, keep, most = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function text(n) if n then return string.format('%.17g', n) end return '' end
local function fold(average, sum, count)
  if count == 0 then return average end
  local mean = sum / count
  if not average then return mean end
  local kept = (1 - weight) ^ count
  return (1 - kept) * mean + kept * average
end
local routes, size = {}, 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local ttft, tps, at = string.match(fields[i + 1], '^([^,]*),([^,]*),(%d+)$')
  if at and now - tonumber(at) <= keep then
    routes[fields[i]] = {ttft = tonumber(ttft), tps = tonumber(tps)}
    size = size + 1
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
for i = 4, #ARGV, 5 do
  local route = routes[ARGV[i]]
  if not route and size < most then
    route = {}
    size = size + 1
  end
  if route then
    route.ttft = fold(route.ttft, tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
    route.tps = fold(route.tps, tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]))
    routes[ARGV[i]] = route
    redis.call('HSET', KEYS[1], ARGV[i], text(route.ttft) .. ',' .. text(route.tps) .. ',' .. int(now))
  end
end
if #ARGV > 3 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local out = {}
for name, route in pairs(routes) do
  out[#out + 1] = name
  out[#out + 1] = text(route.ttft) .. ',' .. text(route.tps)
end
return out
)lua"),
  };
  return texts;
}

// A shared average as the speed script writes it: empty for none; nullopt too for anything but a
// finite number at least zero.
std::optional<double> shared_average(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

}  // namespace

using Reply = RedisLink::Reply;

struct RedisState::Impl {
  Options options;
  std::mutex mutex;
  // Below, guarded by `mutex`.
  RedisLink link;
  std::string problem;                         // why the last failed call failed
  std::array<std::string, script_count> shas;  // SHA1s from SCRIPT LOAD, once loaded
  std::atomic<bool> reached = false;

  // Throws std::invalid_argument when the URL is malformed.
  explicit Impl(Options o) : options(std::move(o)), link(options.url, options.timeout, options.retry) {}

  // The reply to a command; nullptr, with `problem` saying why, when Redis could not be reached
  // or answered with an error (the connection stays up then).
  Reply command(const std::vector<std::string>& args, bool keep_errors = false) {
    const std::vector<std::string_view> views(args.begin(), args.end());
    Reply reply = link.command(views);
    if (!reply) {
      problem = link.problem();
      reached = false;
      return nullptr;
    }
    reached = true;
    if (reply->type == REDIS_REPLY_ERROR && !keep_errors) {
      problem = fmt::format("{} answered: {}", link.url(), reply->str);
      return nullptr;
    }
    return reply;
  }

  // Runs a script by its SHA1 (loading it first in this process's first use), and sends its
  // text instead when the server does not have it (restarted, or flushed its scripts).
  Reply run(Script script, const std::string& key, std::vector<std::string> args) {
    std::string& sha = shas[script];
    if (sha.empty()) {
      Reply loaded = command({"SCRIPT", "LOAD", script_texts()[script]});
      if (!loaded) return nullptr;
      sha.assign(loaded->str, loaded->len);
    }
    args.insert(args.begin(), {"EVALSHA", sha, "1", key});
    Reply reply = command(args, true);
    if (reply && reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str).starts_with("NOSCRIPT")) {
      args[0] = "EVAL";
      args[1] = script_texts()[script];
      reply = command(args, true);
    }
    if (reply && reply->type == REDIS_REPLY_ERROR) {
      problem = fmt::format("{} answered: {}", link.url(), reply->str);
      return nullptr;
    }
    return reply;
  }

  Grant unavailable() const { return Grant{.unavailable = true, .problem = problem}; }
};

RedisState::RedisState(Options options) {
  if (options.replica.empty()) throw std::invalid_argument("RedisState: the replica id is empty");
  impl_ = std::make_unique<Impl>(std::move(options));
}

RedisState::~RedisState() = default;

std::string RedisState::describe() const { return impl_->link.url(); }

bool RedisState::reachable() const { return impl_->reached; }

Grant RedisState::take(const Counter& counter, int64_t want, bool partial, std::optional<int64_t> seed) {
  std::lock_guard lock(impl_->mutex);
  const std::string key = "sy:" + counter.name;
  std::vector<std::string> args = {std::to_string(counter.limit), std::to_string(want), partial ? "1" : "0"};
  Reply reply;
  switch (counter.window) {
    case Window::minute: reply = impl_->run(take_minute, key, std::move(args)); break;
    case Window::period:
      args.push_back(seed ? std::to_string(*seed) : "");
      args.push_back(std::to_string(kPeriodTtlMs));
      reply = impl_->run(take_period, key, std::move(args));
      break;
    case Window::held:
      args.push_back(impl_->options.replica);
      args.push_back(std::to_string(std::chrono::milliseconds(impl_->options.replica_ttl).count()));
      reply = impl_->run(take_held, key, std::move(args));
      break;
  }
  if (!reply) return impl_->unavailable();
  auto integer = [](const redisReply* element) { return element->type == REDIS_REPLY_INTEGER; };
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 5 ||
      !std::all_of(reply->element, reply->element + 5, integer)) {
    impl_->problem = fmt::format("{} answered a take with something other than five integers", impl_->link.url());
    return impl_->unavailable();
  }
  return Grant{.granted = reply->element[0]->integer,
               .used = reply->element[1]->integer,
               .bucket = reply->element[2]->integer,
               .reset_ms = reply->element[3]->integer,
               .needs_seed = reply->element[4]->integer != 0};
}

void RedisState::give(const Counter& counter, int64_t bucket, int64_t units) {
  if (units <= 0) return;
  std::lock_guard lock(impl_->mutex);
  const std::string key = "sy:" + counter.name;
  switch (counter.window) {
    case Window::minute: impl_->run(give_count, fmt::format("{}:{}", key, bucket), {std::to_string(units)}); break;
    case Window::period: impl_->run(give_count, key, {std::to_string(units)}); break;
    case Window::held: impl_->run(give_held, key, {std::to_string(units), impl_->options.replica}); break;
  }
}

void RedisState::charge(const Counter& counter, int64_t bucket, int64_t units) {
  if (units <= 0) return;
  std::lock_guard lock(impl_->mutex);
  const std::string key = "sy:" + counter.name;
  switch (counter.window) {
    case Window::minute:
      impl_->run(charge_minute, fmt::format("{}:{}", key, bucket), {std::to_string(units), std::to_string(bucket)});
      break;
    case Window::period: impl_->run(charge_period, key, {std::to_string(units), std::to_string(kPeriodTtlMs)}); break;
    case Window::held: impl_->command({"HINCRBY", key, impl_->options.replica, std::to_string(units)}); break;
  }
}

bool RedisState::heartbeat() {
  std::lock_guard lock(impl_->mutex);
  const auto ttl = std::chrono::milliseconds(impl_->options.replica_ttl).count();
  return impl_->command({"SET", "sy:replica:" + impl_->options.replica, "1", "PX", std::to_string(ttl)}) != nullptr;
}

bool RedisState::publish_open_route(const std::string& route, std::chrono::milliseconds open_for) {
  std::lock_guard lock(impl_->mutex);
  return impl_->run(publish_route, "sy:breaker", {route, std::to_string(open_for.count())}) != nullptr;
}

std::optional<std::vector<std::pair<std::string, int64_t>>> RedisState::open_routes() {
  std::lock_guard lock(impl_->mutex);
  Reply reply = impl_->run(list_routes, "sy:breaker", {std::to_string(kMaxOpenRoutes)});
  if (!reply) return std::nullopt;
  std::vector<std::pair<std::string, int64_t>> routes;
  if (reply->type != REDIS_REPLY_ARRAY) return routes;
  for (std::size_t i = 0; i + 1 < reply->elements; i += 2) {
    const redisReply* route = reply->element[i];
    const redisReply* left = reply->element[i + 1];
    if (route->type == REDIS_REPLY_STRING && left->type == REDIS_REPLY_INTEGER)
      routes.emplace_back(std::string(route->str, route->len), left->integer);
  }
  return routes;
}

std::optional<std::vector<RedisState::SharedSpeed>> RedisState::fold_speeds(const std::vector<SpeedSamples>& samples,
                                                                            double weight) {
  const std::size_t sent = std::min(samples.size(), kMaxSpeedRoutes);
  std::vector<std::string> args;
  args.reserve(3 + 5 * sent);
  args.push_back(fmt::format("{}", weight));
  args.push_back(std::to_string(std::chrono::milliseconds(impl_->options.speed_ttl).count()));
  args.push_back(std::to_string(kMaxSpeedRoutes));
  for (std::size_t i = 0; i < sent; ++i) {
    const SpeedSamples& route = samples[i];
    args.push_back(route.route);
    for (const SpeedSum& metric : {route.ttft, route.tps}) {
      args.push_back(fmt::format("{}", metric.sum));
      args.push_back(std::to_string(metric.count));
    }
  }
  std::lock_guard lock(impl_->mutex);
  Reply reply = impl_->run(fold_speed, "sy:speed", std::move(args));
  if (!reply) return std::nullopt;
  std::vector<SharedSpeed> shared;
  if (reply->type != REDIS_REPLY_ARRAY) return shared;
  for (std::size_t i = 0; i + 1 < reply->elements; i += 2) {
    const redisReply* route = reply->element[i];
    const redisReply* averages = reply->element[i + 1];
    if (route->type != REDIS_REPLY_STRING || averages->type != REDIS_REPLY_STRING) continue;
    const std::string_view text(averages->str, averages->len);
    const auto comma = text.find(',');
    if (comma == std::string_view::npos) continue;
    shared.push_back(SharedSpeed{std::string(route->str, route->len), shared_average(text.substr(0, comma)),
                                 shared_average(text.substr(comma + 1))});
  }
  return shared;
}

}  // namespace switchyard
