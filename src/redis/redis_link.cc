#include "redis/redis_link.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <optional>
#include <stdexcept>

namespace switchyard {
namespace {

// hiredis writes with write(2), which raises SIGPIPE (ending the process) on a connection the
// peer has reset. While one of these lives, the calling thread has SIGPIPE blocked, and a SIGPIPE
// raised meanwhile is consumed; what libpq does where there is no MSG_NOSIGNAL.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec no_wait{};
      sigtimedwait(&pipe_, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool was_pending_ = false;
};

// The number `text` spells in decimal digits when it lies in [min, max].
std::optional<int> decimal(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

timeval to_timeval(std::chrono::milliseconds duration) {
  return timeval{.tv_sec = static_cast<time_t>(duration.count() / 1000),
                 .tv_usec = static_cast<suseconds_t>(duration.count() % 1000 * 1000)};
}

}  // namespace

void RedisLink::FreeReply::operator()(redisReply* reply) const { freeReplyObject(reply); }

// redis://HOST[:PORT][/DB]; HOST an IPv4 address or a name.
RedisLink::RedisLink(const std::string& url, std::chrono::milliseconds timeout, std::chrono::milliseconds retry)
    : timeout_(timeout), retry_(retry) {
  auto invalid = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("Redis URL '{}': {} (expected redis://HOST[:PORT][/DB])", url, why));
  };
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) throw invalid("not a redis:// URL");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos) throw invalid("credentials are not supported");
  if (rest.starts_with('[')) throw invalid("IPv6 addresses are not supported");
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    auto db = decimal(rest.substr(slash + 1), 0, 1'000'000);
    if (!db) throw invalid("the database must be a number");
    db_ = *db;
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    auto port = decimal(rest.substr(colon + 1), 1, 65535);
    if (!port) throw invalid("the port must be a number from 1 to 65535");
    port_ = *port;
    rest = rest.substr(0, colon);
  }
  auto host_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  };
  if (rest.empty() || !std::all_of(rest.begin(), rest.end(), host_char))
    throw invalid("the host must be an IPv4 address or a name");
  host_ = rest;
  url_ = fmt::format("redis://{}:{}/{}", host_, port_, db_);
}

RedisLink::~RedisLink() { disconnect(); }

void RedisLink::disconnect() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

void RedisLink::fail(std::string_view why) {
  problem_ = fmt::format("{} unreachable: {}", url_, why);
  disconnect();
  next_connect_ = std::chrono::steady_clock::now() + retry_;
}

RedisLink::Reply RedisLink::send(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  Reply reply;
  int error_number = 0;
  {
    SigpipeBlocked blocked;
    reply.reset(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    error_number = errno;
  }
  if (!reply) {
    // In a blocking context hiredis reports a receive timeout as an I/O error with EAGAIN.
    const bool timed_out = context_->err == REDIS_ERR_IO && (error_number == EAGAIN || error_number == EWOULDBLOCK);
    fail(timed_out ? fmt::format("no answer within {} ms", timeout_.count()) : std::string(context_->errstr));
  }
  return reply;
}

bool RedisLink::connect() {
  if (std::chrono::steady_clock::now() < next_connect_) return false;
  const timeval timeout = to_timeval(timeout_);
  context_ = redisConnectWithTimeout(host_.c_str(), port_, timeout);
  if (!context_) {
    fail("out of memory");
    return false;
  }
  if (context_->err) {
    fail(context_->errstr);
    return false;
  }
  if (redisSetTimeout(context_, timeout) != REDIS_OK) {
    fail(context_->errstr);
    return false;
  }
  const std::string db = std::to_string(db_);
  Reply selected = send({"SELECT", db});
  if (!selected) return false;
  if (selected->type == REDIS_REPLY_ERROR) {
    fail(fmt::format("SELECT {}: {}", db_, selected->str));
    return false;
  }
  return true;
}

RedisLink::Reply RedisLink::command(const std::vector<std::string_view>& args) {
  if (!context_ && !connect()) return nullptr;
  return send(args);
}

}  // namespace switchyard
