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

}  // namespace declared::testing
