#pragma once
// Short names shared by every networking file.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace switchyard {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

// Every I/O object and coroutine names the io_context's own executor type instead of the
// type-erased any_io_executor: copying and querying that erased executor was a measurable
// share of a pass-through request (perf, bench/run).
using Executor = net::io_context::executor_type;
template <class T = void>
using Task = net::awaitable<T, Executor>;
using TcpSocket = net::basic_stream_socket<tcp, Executor>;
using TcpStream = beast::basic_stream<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
using Resolver = net::ip::basic_resolver<tcp, Executor>;
using Timer =
    net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, Executor>;

// Completion token that returns (error_code, values...) instead of throwing: the data plane
// treats errors as values.
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable_t<Executor>{});
}  // namespace switchyard
