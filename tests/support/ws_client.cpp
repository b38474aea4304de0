#include "tests/support/ws_client.hpp"

#include <sys/socket.h>

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

namespace declared::testing {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct WsClient::Impl {
    asio::io_context ioc;
    websocket::stream<tcp::socket> ws{ioc};
    beast::flat_buffer buffer;
    bool broken = false;

    // Runs the io_context until the started operation has completed or the
    // timeout passes; on timeout, cancels it and waits for the cancellation.
    template <class Start>
    std::optional<beast::error_code> run(Start start, std::chrono::milliseconds timeout) {
        std::optional<beast::error_code> result;
        ioc.restart();
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc.run_for(timeout);
        if (!result) {
            beast::error_code ignored;
            ws.next_layer().cancel(ignored);
            ioc.restart();
            ioc.run_for(std::chrono::seconds(2));
            broken = true;
            return std::nullopt;
        }
        return result;
    }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}

WsClient::~WsClient() { drop(); }

bool WsClient::connect(int port, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout, int rcvbuf) {
    auto& s = impl_->ws.next_layer();
    beast::error_code ec;
    s.open(tcp::v4(), ec);
    if (ec) return error_ = "open: " + ec.message(), false;
    if (rcvbuf > 0) s.set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
    s.set_option(tcp::no_delay(true), ec);
    tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(port));
    auto r = impl_->run([&](auto h) { s.async_connect(ep, std::move(h)); }, timeout);
    if (!r) return error_ = "connect timed out", false;
    if (*r) return error_ = "connect: " + r->message(), false;

    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [k, v] : headers) req.set(k, v);
    }));
    impl_->ws.auto_fragment(false);
    impl_->ws.read_message_max(64 << 20);
    websocket::response_type res;
    r = impl_->run([&](auto h) { impl_->ws.async_handshake(res, "127.0.0.1", target, std::move(h)); }, timeout);
    handshake_status_ = static_cast<int>(res.result_int());
    handshake_body_ = res.body();
    if (!r) return error_ = "handshake timed out", false;
    if (*r) return error_ = "handshake: " + r->message(), false;
    return true;
}

WsRead WsClient::read(std::chrono::milliseconds timeout) {
    WsRead out;
    if (impl_->broken || !impl_->ws.is_open()) {
        out.kind = WsRead::Kind::error;
        out.error = "not open";
        return out;
    }
    impl_->buffer.clear();
    auto r = impl_->run([&](auto h) { impl_->ws.async_read(impl_->buffer, std::move(h)); }, timeout);
    if (!r) {
        out.kind = WsRead::Kind::timeout;
        out.error = "no message within " + std::to_string(timeout.count()) + " ms";
        return out;
    }
    if (*r == websocket::error::closed) {
        out.kind = WsRead::Kind::closed;
        out.close_code = impl_->ws.reason().code;
        out.close_reason = std::string(impl_->ws.reason().reason.c_str());
        return out;
    }
    if (*r) {
        out.kind = WsRead::Kind::error;
        out.error = r->message();
        impl_->broken = true;
        return out;
    }
    out.kind = WsRead::Kind::message;
    out.binary = impl_->ws.got_binary();
    out.data = beast::buffers_to_string(impl_->buffer.data());
    return out;
}

bool WsClient::send(std::string_view data, bool binary, std::chrono::milliseconds timeout) {
    if (impl_->broken || !impl_->ws.is_open()) return false;
    impl_->ws.binary(binary);
    auto r = impl_->run(
        [&](auto h) { impl_->ws.async_write(asio::buffer(data.data(), data.size()), std::move(h)); }, timeout);
    return r && !*r;
}

bool WsClient::close(std::chrono::milliseconds timeout) {
    if (impl_->broken || !impl_->ws.is_open()) return false;
    auto r = impl_->run([&](auto h) { impl_->ws.async_close(websocket::close_code::normal, std::move(h)); },
                        timeout);
    return r && !*r;
}

void WsClient::drop() {
    beast::error_code ignored;
    auto& s = impl_->ws.next_layer();
    if (s.is_open()) {
        s.shutdown(tcp::socket::shutdown_both, ignored);
        s.close(ignored);
    }
    impl_->broken = true;
}

bool WsClient::is_open() const { return !impl_->broken && impl_->ws.is_open(); }

}  // namespace declared::testing
