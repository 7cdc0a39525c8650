#include "server/client_watch.h"

#include <sys/socket.h>

#include <boost/intrusive/list.hpp>

namespace switchyard {
namespace {

using WatchList = boost::intrusive::list<ClientWatch, boost::intrusive::constant_time_size<false>>;

// This thread's watched clients, and the periodic check that runs while there are any.
struct ThreadWatches {
  WatchList list;
  bool ticking = false;
};

ThreadWatches& this_thread_watches() {
  thread_local ThreadWatches watches;
  return watches;
}

Task<> tick(Executor executor) {
  ThreadWatches& watches = this_thread_watches();
  Timer timer(executor);
  while (!watches.list.empty()) {
    timer.expires_after(ClientWatch::kPeriod);
    co_await timer.async_wait(use_tuple);
    // A gone client's action may end its request, which unlinks (destroys) other watches: restart
    // the walk after each one that fired.
    for (bool fired = true; fired;) {
      fired = false;
      for (auto& watch : watches.list)
        if (!watch.gone() && watch.check()) {
          fired = true;
          break;
        }
    }
  }
  watches.ticking = false;
}

}  // namespace

ClientWatch::ClientWatch(TcpSocket& socket) : socket_(socket) {
  ThreadWatches& watches = this_thread_watches();
  watches.list.push_back(*this);
  if (!watches.ticking) {
    watches.ticking = true;
    net::co_spawn(socket.get_executor(), tick(socket.get_executor()), net::detached);
  }
}

void cut_all_on_this_thread() {
  for (auto& watch : this_thread_watches().list) watch.cut_short();
}

void ClientWatch::cut_short() {
  if (gone_ || cut_) return;
  cut_ = true;
  if (auto action = std::move(on_gone_)) action();
}

bool ClientWatch::check() {
  char byte;
  ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) return false;
  gone_ = true;
  if (auto action = std::move(on_gone_)) action();
  return true;
}

}  // namespace switchyard
