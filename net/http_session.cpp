#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/fail.hpp"
#include "net/server.hpp"

namespace declared::net {

namespace {
// How long an idle connection is still read at shutdown, for a request in flight.
constexpr std::chrono::milliseconds kShutdownGrace{300};
}  // namespace

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

HttpSession::HttpSession(asio::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx)
    : stream_(std::move(socket)), request_timer_(stream_.get_executor()), ctx_(std::move(ctx)) {}

HttpSession::~HttpSession() {
    if (registry_id_) ctx_->sessions.remove(registry_id_);
}

void HttpSession::run() {
    beast::error_code ec;
    peer_ = stream_.socket().remote_endpoint(ec).address().to_string();
    const auto& l = ctx_->limits;
    auto place = ctx_->sessions.add(weak_from_this(), peer_,
                                    RegistryLimits{l.max_connections, l.max_connections_per_address, l.reserved_connections});
    registry_id_ = place.id;
    reserve_ = place.reserve;
    if (!registry_id_) return refuse_and_close();
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        // Read after add(): close_all() has either seen this session or set the flag first.
        if (self->ctx_->stopping) self->closing_ = true;
        self->do_read();
    });
}

void HttpSession::refuse_and_close() {
    ++ctx_->connections_refused;
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->closing_ = true;
        self->send_error(http::status::service_unavailable, "too_many_connections",
                         "the server is at its connection limit; retry shortly");
    });
}

void HttpSession::close_gracefully() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
        self->closing_ = true;
        // Idle between requests: a keep-alive client may be sending its next
        // request this very moment, so keep reading a short while and answer
        // what comes (503 once ingest has stopped) rather than close under it.
        // Part of a request already here: let it arrive (within the request
        // timeout) and be answered. Busy: on_write closes after the response.
        if (!self->busy_ && !self->request_started()) self->arm_request_timer(kShutdownGrace);
    });
}

void HttpSession::evict() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->busy_ || self->request_started()) return;  // no longer idle: it keeps its place
        self->closing_ = true;
        self->stream_.cancel();
    });
}

bool HttpSession::request_started() {
    // Bytes still in the kernel count: the client has sent them, and closing
    // with them unread would reset the connection instead of answering.
    beast::error_code ec;
    return buffer_.size() > 0 || (parser_ && parser_->got_some()) || stream_.socket().available(ec) > 0;
}

// The request deadline: when it passes, the read ends with timed_out_ set.
void HttpSession::arm_request_timer(std::chrono::milliseconds after) {
    request_timer_.expires_after(after);  // cancels a wait already armed
    request_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->timed_out_ = true;
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);  // the read sees operation_aborted with timed_out_ set
    });
}

void HttpSession::do_read() {
    // Closing with nothing here yet: the client may be sending its next request
    // on the keep-alive we gave it; read briefly and answer it, then close.
    const bool grace = closing_ && !request_started();
    parser_.emplace();
    parser_->body_limit(ctx_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->limits.max_header_bytes));
    stream_.expires_never();
    timed_out_ = false;
    arm_request_timer(grace ? kShutdownGrace : ctx_->limits.request_timeout);
    ctx_->sessions.set_idle(registry_id_, !request_started());
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

// The headers are here: the handler may refuse before any body is read.
void HttpSession::on_header(beast::error_code ec, std::size_t) {
    ctx_->sessions.set_idle(registry_id_, false);
    if (read_failed(ec)) return;
    if (reserve_ && !ctx_->handler->trusted(parser_->get())) {
        request_timer_.cancel();
        ++ctx_->connections_refused;
        return send_error(http::status::service_unavailable, "too_many_connections",
                          "the server is at its connection limit; retry shortly");
    }
    reserve_ = false;  // a trusted client keeps its connection for what follows
    if (auto refusal = ctx_->handler->admit(parser_->get())) {
        request_timer_.cancel();
        busy_ = true;
        closing_ = true;  // the body, if any, stays unread: the connection cannot go on
        refusal->keep_alive(false);
        return on_response(std::move(*refusal));
    }
    if (parser_->is_done()) return on_read({}, 0);
    if (closing_) arm_request_timer(ctx_->limits.request_timeout);  // it came in the shutdown grace: its body gets the full time
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

bool HttpSession::read_failed(beast::error_code ec) {
    if (!ec) return false;
    request_timer_.cancel();
    if (ec == asio::error::operation_aborted && timed_out_ && !closing_) {
        // Nothing at all arrived: an idle keep-alive connection. Part of a request: say so.
        if (parser_->got_some() || buffer_.size() > 0)
            send_error(http::status::request_timeout, "request_timeout",
                       "the request did not arrive completely within the time limit");
        else
            do_close();
        return true;
    }
    if (ec == http::error::body_limit)
        send_error(http::status::payload_too_large, "body_too_large",
                   "request body exceeds " + std::to_string(ctx_->limits.max_body_bytes) + " bytes");
    else if (ec == http::error::header_limit)
        send_error(http::status::request_header_fields_too_large, "headers_too_large",
                   "request headers exceed " + std::to_string(ctx_->limits.max_header_bytes) + " bytes");
    else if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted)
        do_close();
    else if (ec.category() == beast::error_code(http::error::bad_method).category())  // any HTTP parse error
        send_error(http::status::bad_request, "bad_http", ec.message());
    else
        fail(ec, "http read"), do_close();
    return true;
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    if (read_failed(ec)) return;
    request_timer_.cancel();

    Request req = parser_->release();
    busy_ = true;
    if (ctx_->upgrades && ctx_->upgrades->takes(req)) {
        stream_.expires_never();
        auto refusal = ctx_->upgrades->upgrade(std::move(req), peer_, [this] { return stream_.release_socket(); });
        if (refusal) return on_response(std::move(*refusal));
        return;  // the connection is the subscriber's now; this session ends here
    }
    stream_.expires_never();  // the handler may wait on the journal; the response has its own deadline below
    ctx_->handler->handle(std::move(req), [self = shared_from_this()](Response&& res) {
        asio::post(self->stream_.get_executor(),
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
    if (!keep_alive) return do_close();
    do_read();  // closing since: it reads only the shutdown grace, for a request the keep-alive invited
}

void HttpSession::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    // Closing with unread bytes (a refused body) makes the kernel send a reset,
    // which can destroy the answer before the client reads it. Read and drop
    // what still comes, briefly, into a fixed buffer; then close.
    if (ec || !request_started()) return stream_.socket().close(ec);
    buffer_.clear();
    parser_.reset();
    request_timer_.expires_after(std::chrono::milliseconds(500));
    request_timer_.async_wait([weak = weak_from_this()](beast::error_code e) {
        if (auto self = weak.lock(); self && !e) {
            beast::error_code ignored;
            self->stream_.socket().close(ignored);
        }
    });
    linger();
}

void HttpSession::linger() {
    stream_.socket().async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec) return self->linger();
        self->request_timer_.cancel();
        beast::error_code ignored;
        self->stream_.socket().close(ignored);
    });
}

}  // namespace declared::net
