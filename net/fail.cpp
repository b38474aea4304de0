#include "net/fail.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

namespace declared::net {

void fail(boost::beast::error_code ec, const char* what) {
    namespace asio = boost::asio;
    if (ec == asio::error::operation_aborted || ec == boost::beast::websocket::error::closed ||
        ec == boost::beast::http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == boost::beast::error::timeout)
        return;
    spdlog::debug("{}: {}", what, ec.message());
}

}  // namespace declared::net
