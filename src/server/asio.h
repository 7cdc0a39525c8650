#pragma once
// Short names shared by every networking file.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace switchyard {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

// Completion token that returns (error_code, values...) instead of throwing: the data plane
// treats errors as values.
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace switchyard
