#pragma once
// Test harness: WebSocket frames as a client puts them on the wire, built
// byte by byte so tests can also send what no real client library would
// (unmasked frames, reserved bits, a header with no payload yet).
#include <cstdint>
#include <string>
#include <string_view>

namespace declared::testing {

inline constexpr std::uint8_t kFin = 0x80;
inline constexpr std::uint8_t kMaskKey[4] = {0x37, 0xfa, 0x21, 0x3d};  // RFC 6455 5.7's example key

// First byte as given (FIN, RSV, opcode), the declared length (which may
// differ from payload's, to send a header alone), the mask bit and key, then
// the payload, masked.
inline std::string raw_frame(std::uint8_t first, std::uint64_t length, std::string_view payload = {},
                             bool masked = true) {
    std::string out(1, static_cast<char>(first));
    const std::uint8_t mask_bit = masked ? 0x80 : 0;
    if (length < 126) {
        out += static_cast<char>(mask_bit | length);
    } else if (length <= 0xFFFF) {
        out += static_cast<char>(mask_bit | 126);
        for (int shift = 8; shift >= 0; shift -= 8) out += static_cast<char>(length >> shift);
    } else {
        out += static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(length >> shift);
    }
    if (masked) out.append(reinterpret_cast<const char*>(kMaskKey), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out += masked ? static_cast<char>(payload[i] ^ kMaskKey[i % 4]) : payload[i];
    return out;
}

// A whole masked frame of the given opcode (FIN set unless fin is false).
inline std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true) {
    return raw_frame(static_cast<std::uint8_t>((fin ? kFin : 0) | opcode), payload.size(), payload);
}

// A masked close frame with a code and reason.
inline std::string client_close(std::uint16_t code, std::string_view reason = {}) {
    std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    return client_frame(0x8, payload + std::string(reason));
}

}  // namespace declared::testing
