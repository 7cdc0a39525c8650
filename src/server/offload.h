#pragma once
// Runs blocking work (a database query) on a small thread pool and resumes the calling coroutine
// on its own event loop with the result, so the loop never waits on it. Exceptions come back too.
#include <exception>
#include <functional>

#include "server/asio.h"

namespace switchyard {

// The process-wide pool for blocking work (two threads: reports are rare, never hot).
net::thread_pool& blocking_pool();

template <class T>
Task<T> offload(std::function<T()> work) {
  auto loop = co_await net::this_coro::executor;
  co_return co_await net::async_initiate<const net::use_awaitable_t<Executor>&, void(std::exception_ptr, T)>(
      [loop, work = std::move(work)](auto handler) mutable {
        net::post(blocking_pool(), [loop, work = std::move(work), handler = std::move(handler)]() mutable {
          std::exception_ptr failure;
          T value{};
          try {
            value = work();
          } catch (...) {
            failure = std::current_exception();
          }
          net::post(loop, [handler = std::move(handler), failure, value = std::move(value)]() mutable {
            std::move(handler)(failure, std::move(value));
          });
        });
      },
      net::use_awaitable_t<Executor>{});
}

}  // namespace switchyard
