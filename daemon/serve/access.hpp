#pragma once
// Who may do what: one token check for every route. Roles are separate: an
// ingest token does not read a private night, a read token cannot ingest,
// and /metrics has its own token; the results desk (docs/desk.md) has its
// own tokens, each with the name its actions are recorded under, and a desk
// token also reads a private night (its page reads the events). A role with
// no tokens is open (read and metrics: a public night needs no token) or
// closed (ingest and desk: refused).
// Tokens are kept as SHA-256 digests and a presented token is compared with
// every one of its role's in constant time, so neither timing nor an early
// exit tells an attacker how close a guess was.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace declared {

enum class Role { ingest, read, metrics, desk };

struct AccessOptions {
    std::map<std::string, std::string> ingest_tokens;  // token -> source name
    std::vector<std::string> read_tokens;              // any one reads; none: the night is public
    std::string metrics_token;                         // empty: /metrics follows the read role
    std::map<std::string, std::string> desk_tokens;    // token -> desk name (who did it)
};

class Access {
public:
    explicit Access(const AccessOptions& options);

    // True when the role needs no token.
    bool open(Role role) const;
    // The name behind a presented token of this role (a source name for
    // ingest, a desk name for desk, "read" or "metrics" otherwise); nullopt
    // when it is none of them.
    std::optional<std::string> match(Role role, std::string_view presented) const;

private:
    using Digest = std::array<unsigned char, 32>;
    struct Entry {
        Digest digest;
        std::string name;
    };
    static Digest digest(std::string_view token);
    const std::vector<Entry>& entries(Role role) const;

    static const Entry* find(const std::vector<Entry>& entries, const Digest& d);

    std::vector<Entry> ingest_, read_, metrics_, desk_;
};

}  // namespace declared
