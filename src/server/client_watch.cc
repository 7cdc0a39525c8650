#include "server/client_watch.h"

#include <sys/socket.h>

namespace switchyard {

ClientWatch::ClientWatch(TcpSocket& socket) : socket_(socket), state_(std::make_shared<State>()) {
  net::co_spawn(socket.get_executor(), watch(socket, state_), net::detached);
}

ClientWatch::~ClientWatch() {
  state_->stopped = true;
  state_->on_gone = nullptr;
  error_code ignored;
  socket_.cancel(ignored);
}

Task<> ClientWatch::watch(TcpSocket& socket, std::shared_ptr<State> state) {
  auto [ec] = co_await socket.async_wait(TcpSocket::wait_read, use_tuple);
  if (state->stopped) co_return;  // the socket may be gone: touch only the state
  if (!ec) {
    char byte;
    ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) co_return;  // data, not a hang-up
  }
  state->gone = true;
  if (state->on_gone) state->on_gone();
}

}  // namespace switchyard
