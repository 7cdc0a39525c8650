#pragma once
// Notices a client that hangs up while the gateway waits on an upstream for it, so the upstream
// request can be cancelled instead of running (and being paid for) to its end.
//
// Watching costs nothing per request beyond linking into a per-thread list: four times a second
// the thread peeks at each watched client socket (end of stream or an error means the client is
// gone; data, such as a pipelined next request, means it is still there). A wait on each socket
// instead cost ~15% of pass-through throughput (epoll re-arming, a coroutine per request).
#include <boost/intrusive/list_hook.hpp>
#include <functional>

#include "server/asio.h"

namespace switchyard {

class ClientWatch
    : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  static constexpr std::chrono::milliseconds kPeriod{250};

  // Watches `socket` from now until destroyed; must be made on the socket's own thread.
  explicit ClientWatch(TcpSocket& socket);
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  // What to do when the client goes (replaces the previous action; runs at most once). The same
  // action cuts the request short when the gateway stops (cut_all_on_this_thread).
  void on_gone(std::function<void()> action) { on_gone_ = std::move(action); }
  bool gone() const { return gone_; }
  // True once the gateway cut the request short because it is stopping (the client is still there).
  bool cut() const { return cut_; }

  // Peeks at the socket; runs the action and returns true when the client is gone.
  bool check();
  // Runs the action as if the client had gone, and marks the request cut.
  void cut_short();

 private:
  TcpSocket& socket_;
  std::function<void()> on_gone_;
  bool gone_ = false;
  bool cut_ = false;
};

// Cuts every watched request of the calling thread short (the drain time at shutdown is over):
// each one's action runs, so its upstream wait fails at once and it can end its answer with an
// error and leave its record. Run on each event loop's own thread.
void cut_all_on_this_thread();

}  // namespace switchyard
