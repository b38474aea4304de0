#pragma once
// Where a webhook keeps the last seq it delivered (or dead-lettered), so that
// it resumes there: a file beside the journal (feed/cursor_file.hpp) or, in
// cluster mode, a key of the stream's webhook bucket
// (cluster/cursor_bucket.hpp), so that the next writer resumes it. Both calls
// may block for a while (a bucket during a leader election); a webhook given
// a cursor executor makes them there, off its strand.
#include <cstdint>
#include <optional>

#include "model/error.hpp"

namespace declared::feed {

class WebhookCursor {
public:
    virtual ~WebhookCursor() = default;
    // The seq saved last; an empty optional for a webhook that has none yet.
    virtual Result<std::optional<std::uint64_t>> load() = 0;
    virtual std::optional<Error> save(std::uint64_t seq) = 0;
};

}  // namespace declared::feed
