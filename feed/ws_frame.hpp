#pragma once
// RFC 6455 framing for the feed's server side, with no I/O: the header of a
// frame the server sends, and a reader for what clients send. The feed writes
// pre-framed JSON lines itself (one writev per message), so it needs only
// this much of the protocol: clients have nothing to say but ping and close.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace declared::feed::ws {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the feed sends (RFC 6455 7.4.1; 4008 is the feed's own).
namespace close_code {
constexpr std::uint16_t normal = 1000, going_away = 1001, protocol_error = 1002, unsupported_data = 1003,
                        too_big = 1009, internal_error = 1011, try_again_later = 1013, lagging = 4008;
}

constexpr std::size_t kMaxHeader = 10;  // a server frame's header: no mask

// Writes the header of one unfragmented, unmasked frame (FIN set) carrying
// payload_size bytes; returns its length: 2, 4 or 10.
std::size_t frame_header(Opcode op, std::uint64_t payload_size, std::uint8_t (&out)[kMaxHeader]);

// A whole small frame: the header then the payload (a pong, a close, a hello).
std::string frame(Opcode op, std::string_view payload);

// A close frame's payload: the code in network order, then the reason, cut
// to fit the 125-byte limit of a control frame without splitting a UTF-8
// sequence.
std::string close_payload(std::uint16_t code, std::string_view reason);

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

// Reads client frames incrementally, a read at a time. Client frames must be
// masked; data messages (text) are counted against max_message and dropped;
// control frames are returned whole, unmasked. Small on purpose: an idle
// subscriber holds one.
class FrameReader {
public:
    explicit FrameReader(std::size_t max_message) : max_message_(max_message) {}

    struct Result {
        enum class Kind {
            more,   // everything given was consumed; read more
            ping,   // answer with a pong carrying payload
            pong,   // nothing to do
            close,  // the client closes: code (1005 when it sent none) and reason in payload
            error,  // fail the connection with code; payload says why (for the close reason)
        } kind = Kind::more;
        std::uint16_t code = 0;
        std::string_view payload;  // valid until the next call
    };

    // Consumes bytes from data (unmasking control payloads in place) up to and
    // including the next frame that needs an answer, and sets used to how many
    // it took. After an error or a close, the reader takes nothing more: every
    // later call returns that same result with used = 0.
    Result next(std::span<char> data, std::size_t& used);

private:
    std::size_t header_size() const;
    Result check_start();  // once the first two header bytes are in
    Result start_payload();  // once the whole header is in
    Result end_control();
    Result refuse(std::uint16_t code, std::string why);  // closes the reader with code
    Result last() const;  // what ended the reader

    std::size_t max_message_;
    std::uint64_t message_size_ = 0;  // bytes of the data message in progress
    std::uint64_t remaining_ = 0;     // payload bytes of the current frame still to come
    std::uint8_t header_[14];         // the current frame's header: 2 bytes, 0/2/8 of length, 4 of mask
    std::uint8_t header_len_ = 0;
    std::uint8_t mask_[4];
    std::uint8_t opcode_ = 0;
    bool in_header_ = true;
    bool in_message_ = false;         // a fragmented data message awaits continuation frames
    Result::Kind done_ = Result::Kind::more;  // close or error once the reader has ended
    std::uint16_t code_ = 0;                  // and its code
    // A control frame's payload (at most 125 bytes); after an error, the
    // reason instead, so an idle reader carries one string, not two.
    std::string control_;
};

}  // namespace declared::feed::ws
