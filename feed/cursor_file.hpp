#pragma once
// A webhook cursor in a file of its own: the seq as text. Saved to a
// temporary file renamed over the old one, so a crash leaves the old cursor
// or the new, never half of one (at worst a redelivery).
#include <string>

#include "feed/webhook_cursor.hpp"

namespace declared::feed {

class CursorFile final : public WebhookCursor {
public:
    explicit CursorFile(std::string path) : path_(std::move(path)) {}
    // No file: no cursor yet. A file that holds no seq is an error, not a new
    // start: starting afresh would skip every event since.
    Result<std::optional<std::uint64_t>> load() override;
    std::optional<Error> save(std::uint64_t seq) override;

private:
    std::string path_;
};

}  // namespace declared::feed
