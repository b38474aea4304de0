#include "feed/fail.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

namespace declared::feed {

void fail(boost::beast::error_code ec, const char* what) {
    namespace net = boost::asio;
    if (ec == net::error::operation_aborted || ec == boost::beast::websocket::error::closed ||
        ec == boost::beast::http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == boost::beast::error::timeout)
        return;
    spdlog::debug("{}: {}", what, ec.message());
}

}  // namespace declared::feed
