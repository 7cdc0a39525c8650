#include "cache/redis_server.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace switchyard::testing {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!bound) throw std::runtime_error("no free port");
  return ntohs(address.sin_port);
}

std::string redis_command(int port, const std::vector<std::string>& args) {
  redisContext* context = redisConnect("127.0.0.1", port);
  std::string text = "(no connection)";
  if (context && !context->err) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* reply =
        static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!reply)
      text = "(no reply)";
    else if (reply->type == REDIS_REPLY_INTEGER)
      text = std::to_string(reply->integer);
    else if (reply->type == REDIS_REPLY_NIL)
      text = "(nil)";
    else
      text = std::string(reply->str, reply->len);
    freeReplyObject(reply);
  }
  redisFree(context);
  return text;
}

::testing::AssertionResult RedisServer::start(int port) {
  using namespace std::chrono_literals;
  const std::string port_text = std::to_string(port);
  std::vector<const char*> argv = {"redis-server", "--port",     port_text.c_str(), "--bind", "127.0.0.1",
                                   "--save",       "",           "--appendonly",    "no",     "--daemonize",
                                   "no",           "--loglevel", "warning",         nullptr};
  pid_ = fork();
  if (pid_ < 0) return ::testing::AssertionFailure() << "fork failed";
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a test run that crashed
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execvp(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (redis_command(port, {"PING"}) == "PONG") return ::testing::AssertionSuccess();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return ::testing::AssertionFailure() << "redis-server on port " << port << " exited with " << status;
    }
    std::this_thread::sleep_for(10ms);  // polling for PING, not a synchronisation by time
  }
  return ::testing::AssertionFailure() << "redis-server on port " << port << " did not answer PING within 10 s";
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

}  // namespace switchyard::testing
