#pragma once
// The webhook cursors of a cluster night, kept in a JetStream key-value
// bucket beside the journal's stream (<stream>_webhooks, as many replicas),
// so that whichever node writes the stream resumes each webhook where the
// last writer left it. A value is "<epoch> <seq>": a cursor left from another
// stream of the same name (recreated for another election) is not honoured.
// Safety does not rest on the bucket (a cursor only ever costs redelivery);
// per-key compare-and-set is not used, as it is racy before nats-server 2.9.21.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cluster/nats_connection.hpp"
#include "cluster/stream_setup.hpp"
#include "model/error.hpp"

namespace declared::cluster {

class CursorBucket {
public:
    // Binds the bucket, creating it if absent. cluster_unavailable when the
    // servers do not answer; cluster_bucket_name when the stream's name
    // makes no bucket name.
    static Result<std::unique_ptr<CursorBucket>> open(const NatsConnection& c, const StreamSpec& spec, std::string epoch);
    ~CursorBucket();
    CursorBucket(const CursorBucket&) = delete;
    CursorBucket& operator=(const CursorBucket&) = delete;

    // The webhook's cursor; an empty optional when it has none in this epoch.
    Result<std::optional<std::uint64_t>> load(const std::string& webhook) const;
    std::optional<Error> save(const std::string& webhook, std::uint64_t seq);
    const std::string& name() const { return name_; }

private:
    CursorBucket() = default;
    kvStore* kv_ = nullptr;
    jsCtx* js_ = nullptr;  // the connection's, which outlives the bucket
    std::string name_, epoch_, where_;
};

}  // namespace declared::cluster
