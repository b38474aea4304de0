#pragma once
// A webhook endpoint for tests, on loopback: answers 500 to the first
// `failures` requests (and to more after fail_next), 200 after, and records
// each delivery it took with its headers. hmac_hex is the signature a
// receiver computes to check one.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace declared::testing {

struct Delivery {
    std::uint64_t seq;
    std::string type, signature, body;
    std::string timestamp, timed_signature;  // X-Declared-Timestamp, X-Declared-Signature-Timestamped
};

// A webhook endpoint: answers 500 to the first `failures` requests, then 200.
class Receiver {
public:
    explicit Receiver(int failures) : failures_(failures), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~Receiver() {
        stop_ = true;
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket poke(ioc_);
        poke.connect(acceptor_.local_endpoint(), ec);  // wake accept()
        thread_.join();
    }
    int port() const { return acceptor_.local_endpoint().port(); }
    std::vector<Delivery> deliveries() {
        std::lock_guard lock(mutex_);
        return deliveries_;
    }
    int attempts() const { return attempts_; }
    void fail_next(int n) { failures_ += n; }

private:
    void serve() {
        while (!stop_) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket s(ioc_);
            acceptor_.accept(s, ec);
            if (ec || stop_) continue;
            boost::beast::flat_buffer buf;
            boost::beast::http::request<boost::beast::http::string_body> req;
            boost::beast::http::read(s, buf, req, ec);
            if (ec) continue;
            int n = ++attempts_;
            boost::beast::http::response<boost::beast::http::string_body> res{n <= failures_ ? boost::beast::http::status::internal_server_error : boost::beast::http::status::ok, 11};
            res.keep_alive(false);
            res.prepare_payload();
            if (res.result() == boost::beast::http::status::ok) {
                std::lock_guard lock(mutex_);
                deliveries_.push_back({std::stoull(std::string(req["X-Declared-Seq"])), std::string(req["X-Declared-Type"]),
                                       std::string(req["X-Declared-Signature"]), req.body(),
                                       std::string(req["X-Declared-Timestamp"]),
                                       std::string(req["X-Declared-Signature-Timestamped"])});
            }
            boost::beast::http::write(s, res, ec);
        }
    }

    std::atomic<int> failures_;
    std::atomic<int> attempts_{0};
    std::atomic<bool> stop_{false};
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Delivery> deliveries_;
};

inline std::string hmac_hex(const std::string& key, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
         body.size(), mac, &len);
    std::string out = "sha256=";
    char hex[3];
    for (unsigned i = 0; i < len; ++i) std::snprintf(hex, sizeof hex, "%02x", mac[i]), out += hex;
    return out;
}

}  // namespace declared::testing
