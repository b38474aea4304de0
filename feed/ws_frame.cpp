#include "feed/ws_frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <limits>

namespace declared::feed::ws {

namespace {

using Kind = FrameReader::Result::Kind;

constexpr std::size_t kMaxControl = 125;

bool is_control(std::uint8_t opcode) { return (opcode & 0x08) != 0; }

// RFC 6455 7.4: codes an endpoint may put on the wire. 1004-1006 and 1015 are
// reserved or local-only; 1012-1014 are registered since but not in 7.4.1.
bool valid_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

}  // namespace

std::size_t frame_header(Opcode op, std::uint64_t payload_size, std::uint8_t (&out)[kMaxHeader]) {
    out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
    if (payload_size < 126) {
        out[1] = static_cast<std::uint8_t>(payload_size);
        return 2;
    }
    if (payload_size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(payload_size >> 8);
        out[3] = static_cast<std::uint8_t>(payload_size);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
    return 10;
}

std::string frame(Opcode op, std::string_view payload) {
    std::uint8_t header[kMaxHeader];
    const auto n = frame_header(op, payload.size(), header);
    std::string out(reinterpret_cast<const char*>(header), n);
    out += payload;
    return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::size_t n = std::min(reason.size(), kMaxControl - 2);
    // Cutting before a continuation byte would split a sequence: back up to its start.
    if (n < reason.size())
        while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
    std::string out;
    out.reserve(2 + n);
    out.push_back(static_cast<char>(code >> 8));
    out.push_back(static_cast<char>(code & 0xFF));
    out.append(reason.substr(0, n));
    return out;
}

std::string accept_key(std::string_view client_key) {
    std::string input(client_key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];  // and EVP_EncodeBlock's NUL
    int len = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(len));
}

FrameReader::Result FrameReader::next(std::span<char> data, std::size_t& used) {
    used = 0;
    if (done_ != Kind::more) return last();
    for (;;) {
        if (in_header_) {
            if (used == data.size()) return {};
            header_[header_len_++] = static_cast<std::uint8_t>(data[used++]);
            if (header_len_ == 2)
                if (Result r = check_start(); r.kind != Kind::more) return r;
            if (header_len_ < header_size()) continue;
            if (Result r = start_payload(); r.kind != Kind::more) return r;
        }
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - used));
        if (is_control(opcode_)) {
            for (std::size_t i = 0; i < n; ++i) {
                char& c = data[used + i];
                c = static_cast<char>(c ^ mask_[control_.size() % 4]);
                control_.push_back(c);
            }
        }
        // A data payload is only counted (at the header) and skipped: nothing reads it.
        used += n;
        remaining_ -= n;
        if (remaining_ > 0) return {};
        in_header_ = true;
        header_len_ = 0;
        if (is_control(opcode_))
            if (Result r = end_control(); r.kind != Kind::more) return r;
    }
}

std::size_t FrameReader::header_size() const {
    if (header_len_ < 2) return 2;
    std::uint8_t len7 = header_[1] & 0x7F;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
}

// Everything the first two bytes can rule out, before waiting on the rest:
// an unmasked frame's "mask" would be its payload.
FrameReader::Result FrameReader::check_start() {
    std::uint8_t b0 = header_[0], b1 = header_[1];
    bool fin = (b0 & 0x80) != 0;
    std::uint8_t op = b0 & 0x0F;
    if (b0 & 0x70) return refuse(close_code::protocol_error, "reserved bits set");
    if (!(b1 & 0x80)) return refuse(close_code::protocol_error, "client frames must be masked");
    switch (op) {
    case 0: case 1: case 8: case 9: case 10: break;
    case 2: return refuse(close_code::unsupported_data, "binary frames are not accepted");
    default: return refuse(close_code::protocol_error, "unknown opcode " + std::to_string(op));
    }
    if (is_control(op)) {
        if (!fin) return refuse(close_code::protocol_error, "control frames must not be fragmented");
        if ((b1 & 0x7F) > kMaxControl) return refuse(close_code::protocol_error, "control frame over 125 bytes");
    } else if (op == 1 && in_message_) {
        return refuse(close_code::protocol_error, "text frame inside a fragmented message");
    } else if (op == 0 && !in_message_) {
        return refuse(close_code::protocol_error, "continuation frame with no message in progress");
    }
    return {};
}

FrameReader::Result FrameReader::start_payload() {
    std::uint8_t len7 = header_[1] & 0x7F;
    std::uint64_t length = len7;
    std::size_t at = 2;
    if (len7 >= 126) {
        std::size_t bytes = len7 == 126 ? 2 : 8;
        length = 0;
        for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | header_[at++];
        if (length >> 63) return refuse(close_code::protocol_error, "64-bit frame length has the top bit set");
    }
    std::copy_n(header_ + at, 4, mask_);
    opcode_ = header_[0] & 0x0F;
    if (is_control(opcode_)) {
        control_.clear();
    } else {
        if (opcode_ == static_cast<std::uint8_t>(Opcode::text)) message_size_ = 0;
        // message_size_ <= max_message_ holds, so the subtraction cannot wrap.
        if (length > max_message_ - message_size_) {
            std::uint64_t total = length > std::numeric_limits<std::uint64_t>::max() - message_size_
                                      ? std::numeric_limits<std::uint64_t>::max()
                                      : message_size_ + length;
            return refuse(close_code::too_big, "message of " + std::to_string(total) + " bytes is over the " +
                                                 std::to_string(max_message_) + "-byte limit");
        }
        message_size_ += length;
        in_message_ = (header_[0] & 0x80) == 0;
    }
    remaining_ = length;
    in_header_ = false;
    return {};
}

FrameReader::Result FrameReader::end_control() {
    switch (static_cast<Opcode>(opcode_)) {
    case Opcode::ping: return {Kind::ping, 0, control_};
    case Opcode::pong: return {Kind::pong, 0, control_};
    default: break;
    }
    if (control_.size() == 1) return refuse(close_code::protocol_error, "close frame with a 1-byte payload");
    std::uint16_t code = 1005;  // RFC 6455 7.1.5: no status code was present
    if (!control_.empty()) {
        code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                          static_cast<std::uint8_t>(control_[1]));
        if (!valid_close_code(code))
            return refuse(close_code::protocol_error, "close code " + std::to_string(code) + " is not allowed");
    }
    done_ = Kind::close;
    code_ = code;
    return last();
}

FrameReader::Result FrameReader::refuse(std::uint16_t code, std::string why) {
    done_ = Kind::error;
    code_ = code;
    control_ = std::move(why);
    return last();
}

FrameReader::Result FrameReader::last() const {
    std::string_view payload = control_;
    if (done_ == Kind::close) payload.remove_prefix(std::min<std::size_t>(2, payload.size()));
    return {done_, code_, payload};
}

}  // namespace declared::feed::ws
