#pragma once
// One HTTP connection: read a request within the limits, hand it to the
// handler, write its response, repeat while keep-alive. WebSocket upgrades go
// to the upgrade hook. Everything runs on the connection's strand.
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "net/http_types.hpp"
#include "net/session_registry.hpp"

namespace declared::net {

struct ServerContext;

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx);
    ~HttpSession() override;

    void run();               // serve requests until the peer or shutdown ends it
    void refuse_and_close();  // over the connection limit: 503 and close
    void close_gracefully() override;
    void evict() override;  // closes only while idle (nothing of a request received)

private:
    void do_read();
    void arm_request_timer(std::chrono::milliseconds after);
    bool request_started();  // part of a request has arrived or is waiting on the socket
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    bool read_failed(boost::beast::error_code ec);  // answered or closed: true
    void on_response(Response&& res);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void send_error(boost::beast::http::status status, std::string_view code, std::string_view message);
    void do_close();
    void linger();

    boost::beast::tcp_stream stream_;
    // The request deadline. Not the stream's own expiry: that closes the
    // socket, and the 408 could then never be sent.
    boost::asio::steady_timer request_timer_;
    bool timed_out_ = false;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<ServerContext> ctx_;
    std::shared_ptr<Response> res_;  // alive while it is written
    std::size_t registry_id_ = 0;
    std::string peer_;      // the remote address, for the per-address limit
    bool reserve_ = false;  // on a reserved place: only a trusted request is served
    std::array<char, 4096> discard_;  // what a refused client still sends, dropped at close
    bool busy_ = false;     // a request is with the handler or being written
    bool closing_ = false;  // shutdown asked: no further requests
};

}  // namespace declared::net
