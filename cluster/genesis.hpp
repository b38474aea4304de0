#pragma once
// The genesis record: the first message of a cluster stream, saying which
// election the stream is the journal of. It carries the SHA-256 of the card
// (and the card itself when it fits in one message) and an epoch id drawn at
// random when the stream was started. Every node checks the genesis against
// its own card before it applies a single record, so a node started with the
// wrong card, or pointed at another night's stream, refuses to start instead
// of rebuilding different events; and the epoch tells a resume token of one
// stream from another's (like Centrifugo's offset plus epoch). It also says
// whether the stream's nodes have a results desk, since that changes the
// events: with one, the calls knowable before counting wait for the desk's
// first action. Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace declared::cluster {

struct Genesis {
    int version = 1;
    std::string epoch;        // 32 hex digits, random per stream
    std::string card_sha256;  // 64 hex digits
    std::uint64_t card_bytes = 0;
    std::string card;         // the card's bytes, or empty when they did not fit
    std::optional<bool> desk;  // the nodes have desk tokens; absent in a genesis written before it was recorded
    std::string created_at;   // ISO 8601 UTC, for operators
};

// SHA-256 of bytes as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);
// 128 random bits as 32 hex digits (an epoch id, a writer id).
std::string random_id();

// A new stream's genesis for this card and desk setting. The card is embedded
// only when the whole record stays within max_record bytes; the digest always is.
Genesis make_genesis(std::string_view card, bool desk, std::size_t max_record, std::string created_at);

std::string encode_genesis(const Genesis& g);
// where: names the stream and sequence in errors.
Result<Genesis> decode_genesis(std::string_view record, const std::string& where);

// Refuses a stream whose genesis names another card than this node's
// (cluster_wrong_card) or the other desk setting (cluster_wrong_desk; not
// checked when the genesis does not say); checks the embedded card against
// its digest too. Empty code: they match.
Error check_genesis(const Genesis& stored, std::string_view card, bool desk, const std::string& where);

}  // namespace declared::cluster
