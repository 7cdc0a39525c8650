#pragma once
// Notices a client that hangs up while the gateway waits on an upstream for it, so the upstream
// request can be cancelled instead of running (and being paid for) to its end. It waits for the
// client's socket to turn readable and peeks: end of stream or an error means the client is gone;
// data (a pipelined next request) ends the watch without touching it.
#include <functional>
#include <memory>

#include "server/asio.h"

namespace switchyard {

class ClientWatch {
 public:
  explicit ClientWatch(TcpSocket& socket);
  // Stops watching. Cancels the socket's pending operations, so it must outlive no other waits.
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  // What to do when the client goes (replaces the previous action; runs at most once).
  void on_gone(std::function<void()> action) { state_->on_gone = std::move(action); }
  bool gone() const { return state_->gone; }

 private:
  struct State {
    std::function<void()> on_gone;
    bool gone = false;
    bool stopped = false;
  };
  static Task<> watch(TcpSocket& socket, std::shared_ptr<State> state);

  TcpSocket& socket_;
  std::shared_ptr<State> state_;
};

}  // namespace switchyard
