#pragma once
// What a JetStream server answered to one publish: stored at a stream
// sequence (perhaps as a duplicate of an earlier publish with the same
// Nats-Msg-Id), or refused with a JetStream error code such as 10071 (wrong
// last sequence). Parsing is kept apart from the journal so every answer the
// journal acts on is a plain value; no I/O here.
#include <cstdint>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace declared::cluster {

inline constexpr int kWrongLastSequence = 10071;  // Nats-Expected-Last-Sequence did not match

struct PubAck {
    std::string stream;
    std::uint64_t seq = 0;
    bool duplicate = false;   // an earlier publish with this Nats-Msg-Id holds seq
    int err_code = 0;         // JetStream error code when refused, else 0
    int code = 0;             // its HTTP-like status
    std::string description;  // the server's words
    bool stored() const { return err_code == 0 && code == 0; }
};

// A clear error (cluster_bad_ack) when the body is no publish answer.
Result<PubAck> parse_pub_ack(std::string_view body);

}  // namespace declared::cluster
