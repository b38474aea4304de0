// libFuzzer target: bytes -> ws::FrameReader, in reads of a size the input
// chooses. Whatever a client sends, the reader must answer with a value and
// keep its contract: it never takes more than it is given, `more` means it
// took the whole read, control payloads fit a control frame, and after a
// close or an error it takes nothing more.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "feed/ws_frame.hpp"

using declared::feed::ws::FrameReader;
using Kind = FrameReader::Result::Kind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t step = 1 + data[0] % 64;          // bytes per read
    const std::size_t max_message = 16u * data[1];       // 0 to 4 KB
    std::vector<char> bytes(data + 2, data + size);
    FrameReader reader(max_message);
    bool ended = false;
    for (std::span<char> rest(bytes); !rest.empty();) {
        auto chunk = rest.first(std::min(step, rest.size()));
        rest = rest.subspan(chunk.size());
        while (!chunk.empty()) {
            std::size_t used = 0;
            const auto r = reader.next(chunk, used);
            if (used > chunk.size()) __builtin_trap();
            if (ended && (used != 0 || (r.kind != Kind::close && r.kind != Kind::error))) __builtin_trap();
            if (r.kind == Kind::more && used != chunk.size()) __builtin_trap();
            if ((r.kind == Kind::ping || r.kind == Kind::pong || r.kind == Kind::close) && r.payload.size() > 125)
                __builtin_trap();
            if (r.kind == Kind::error && (r.code < 1000 || r.payload.empty())) __builtin_trap();
            if (r.kind == Kind::close || r.kind == Kind::error) ended = true;
            chunk = chunk.subspan(used);
            if (used == 0) break;
        }
    }
    return 0;
}
