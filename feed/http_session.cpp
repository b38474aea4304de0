#include "feed/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "feed/fail.hpp"
#include "feed/server.hpp"

namespace declared::feed {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpSession::HttpSession(net::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx)
    : stream_(std::move(socket)), request_timer_(stream_.get_executor()), ctx_(std::move(ctx)) {}

HttpSession::~HttpSession() {
    if (registry_id_) ctx_->sessions.remove(registry_id_);
}

void HttpSession::run() {
    registry_id_ = ctx_->sessions.add(weak_from_this(), ctx_->limits.max_connections);
    if (!registry_id_) return refuse_and_close();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        // Read after add(): close_all() has either seen this session or set the flag first.
        if (self->ctx_->stopping) self->closing_ = true;
        self->do_read();
    });
}

void HttpSession::refuse_and_close() {
    ++ctx_->connections_refused;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->closing_ = true;
        self->send_error(http::status::service_unavailable, "too_many_connections",
                         "the server is at its connection limit; retry shortly");
    });
}

void HttpSession::close_gracefully() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->closing_ = true;
        // Idle between requests: end the read now. Part of a request already
        // here: let it arrive (within the request timeout) and be answered.
        // Busy: on_write closes after the response.
        if (!self->busy_ && !self->request_started()) self->stream_.cancel();
    });
}

bool HttpSession::request_started() {
    // Bytes still in the kernel count: the client has sent them, and closing
    // with them unread would reset the connection instead of answering.
    beast::error_code ec;
    return buffer_.size() > 0 || (parser_ && parser_->got_some()) || stream_.socket().available(ec) > 0;
}

void HttpSession::do_read() {
    if (closing_ && !request_started()) return do_close();
    parser_.emplace();
    parser_->body_limit(ctx_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->limits.max_header_bytes));
    stream_.expires_never();
    timed_out_ = false;
    request_timer_.expires_after(ctx_->limits.request_timeout);
    request_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->timed_out_ = true;
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);  // on_read sees operation_aborted with timed_out_ set
    });
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    request_timer_.cancel();
    if (ec == net::error::operation_aborted && timed_out_ && !closing_) {
        // Nothing at all arrived: an idle keep-alive connection. Part of a request: say so.
        if (parser_->got_some() || buffer_.size() > 0)
            return send_error(http::status::request_timeout, "request_timeout",
                              "the request did not arrive completely within the time limit");
        return do_close();
    }
    if (ec == http::error::body_limit)
        return send_error(http::status::payload_too_large, "body_too_large",
                          "request body exceeds " + std::to_string(ctx_->limits.max_body_bytes) + " bytes");
    if (ec == http::error::header_limit)
        return send_error(http::status::request_header_fields_too_large, "headers_too_large",
                          "request headers exceed " + std::to_string(ctx_->limits.max_header_bytes) + " bytes");
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted) return do_close();
    if (ec && ec.category() == beast::error_code(http::error::bad_method).category())  // any HTTP parse error
        return send_error(http::status::bad_request, "bad_http", ec.message());
    if (ec) return fail(ec, "http read"), do_close();

    Request req = parser_->release();
    busy_ = true;
    if (ctx_->upgrades && ctx_->upgrades->takes(req)) {
        if (auto refusal = ctx_->upgrades->vet(req)) return on_response(std::move(*refusal));
        stream_.expires_never();
        // The connection is the subscriber's now; this session ends here.
        return ctx_->upgrades->upgrade(stream_.release_socket(), std::move(req));
    }
    stream_.expires_never();  // the handler may wait on the journal; the response has its own deadline below
    ctx_->handler->handle(std::move(req), [self = shared_from_this()](Response&& res) {
        net::post(self->stream_.get_executor(),
                  [self, r = std::make_shared<Response>(std::move(res))]() mutable { self->on_response(std::move(*r)); });
    });
}

void HttpSession::on_response(Response&& res) {
    if (closing_) res.keep_alive(false);
    res_ = std::make_shared<Response>(std::move(res));
    bool keep_alive = res_->keep_alive();
    stream_.expires_after(ctx_->limits.request_timeout);
    http::async_write(stream_, *res_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::send_error(http::status status, std::string_view code, std::string_view message) {
    busy_ = true;
    closing_ = true;  // after a refused request the stream position is unknown: close
    on_response(error_response(11, false, status, code, message));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    busy_ = false;
    res_.reset();
    if (ec) return fail(ec, "http write"), do_close();
    if (!keep_alive || closing_) return do_close();
    do_read();
}

void HttpSession::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
}

}  // namespace declared::feed
