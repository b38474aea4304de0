#pragma once
// A response body that shares bytes instead of copying them: a head of its
// own, then shared items (the hub's serialized events) joined by a separator,
// then a tail. A page of ten thousand events costs a vector of pointers, not
// fourteen megabytes per reader, and a reader that never reads holds only
// that until the write deadline closes it.
//
// Every response the server writes has this body; most use the head alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

namespace declared::net {

struct SharedBody {
    struct value_type {
        std::string head;
        std::vector<std::shared_ptr<const std::string>> items;
        char separator = ',';
        std::string tail;

        value_type& operator=(std::string text) {
            head = std::move(text);
            items.clear();
            tail.clear();
            return *this;
        }
        std::uint64_t size() const {
            std::uint64_t n = head.size() + tail.size() + (items.empty() ? 0 : items.size() - 1);
            for (const auto& i : items) n += i->size();
            return n;
        }
        std::string str() const {  // the whole body as one string (tests, logs)
            std::string out = head;
            for (std::size_t i = 0; i < items.size(); ++i) (i ? out += separator : out) += *items[i];
            return out += tail;
        }
    };

    static std::uint64_t size(const value_type& v) { return v.size(); }

    class writer {
    public:
        using const_buffers_type = std::span<const boost::asio::const_buffer>;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

        void init(boost::system::error_code& ec) { ec = {}; }

        // Up to kBatch buffers at a time, into the writer's own array (valid
        // until the next call, which is all the serializer needs).
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
            ec = {};
            std::size_t n = 0;
            auto add = [&](const char* p, std::size_t len) {
                if (len) out_[n++] = boost::asio::const_buffer(p, len);
            };
            while (n + 2 <= out_.size() && step_ < steps()) {
                const std::size_t s = step_++;
                if (s == 0) add(body_.head.data(), body_.head.size());
                else if (s == steps() - 1) add(body_.tail.data(), body_.tail.size());
                else {
                    const std::size_t i = s - 1;
                    if (i) add(&body_.separator, 1);
                    add(body_.items[i]->data(), body_.items[i]->size());
                }
            }
            if (n == 0) return boost::none;
            return std::make_pair(const_buffers_type(out_.data(), n), step_ < steps());
        }

    private:
        std::size_t steps() const { return body_.items.size() + 2; }  // head, items..., tail

        const value_type& body_;
        std::size_t step_ = 0;
        std::array<boost::asio::const_buffer, 64> out_;
    };
};

}  // namespace declared::net
