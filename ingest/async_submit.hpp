#pragma once
// Ingest::submit as an Asio asynchronous operation, so that sources written
// as coroutines can `co_await async_submit(...)`. The result is delivered on
// the caller's executor.
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>

#include "ingest/ingest.hpp"

namespace declared {

template <class Token>
auto async_submit(Ingest& ingest, std::string body, Ingest::Format format, std::string source, Ingest::Mode mode,
                  Token&& token) {
    return boost::asio::async_initiate<Token, void(BatchResult)>(
        [&ingest](auto handler, std::string b, Ingest::Format f, std::string s, Ingest::Mode m) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            ingest.submit(std::move(b), f, std::move(s),
                          [h](BatchResult r) {
                              auto ex = boost::asio::get_associated_executor(*h);
                              boost::asio::dispatch(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
                          },
                          m);
        },
        token, std::move(body), format, std::move(source), mode);
}

}  // namespace declared
