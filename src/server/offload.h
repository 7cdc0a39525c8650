#pragma once
// Runs blocking work (a database query) on a small thread pool and resumes the calling coroutine
// on its own event loop with the result, so the loop never waits on it. Exceptions come back too.
//
//   auto loop = co_await net::this_coro::executor;
//   T value = co_await offload(loop, std::move(work));
//
// Not a coroutine itself, and the work travels as an argument rather than a lambda capture: g++ 12
// destroys lambdas made inside a coroutine's co_await expression twice.
#include <exception>
#include <functional>

#include "server/asio.h"

namespace switchyard {

// The process-wide pool for blocking work (two threads: reports are rare, never hot).
net::thread_pool& blocking_pool();
// The pool for governance's round trips to its shared state (two threads), apart from reports so
// a long report never delays an admission.
net::thread_pool& governance_pool();

template <class T>
struct OffloadInitiation {
  Executor loop;
  net::thread_pool* pool;

  template <class Handler>
  void operator()(Handler handler, std::function<T()> work) const {
    net::post(*pool, [loop = loop, work = std::move(work), handler = std::move(handler)]() mutable {
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
  }
};

template <class T>
auto offload(Executor loop, std::function<T()> work, net::thread_pool& pool = blocking_pool()) {
  return net::async_initiate<const net::use_awaitable_t<Executor>&, void(std::exception_ptr, T)>(
      OffloadInitiation<T>{loop, &pool}, net::use_awaitable_t<Executor>{}, std::move(work));
}

}  // namespace switchyard
