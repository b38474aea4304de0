#include "cluster/cursor_bucket.hpp"

#include <charconv>

namespace declared::cluster {

Result<std::unique_ptr<CursorBucket>> CursorBucket::open(const NatsConnection& c, const StreamSpec& spec, std::string epoch) {
    using R = Result<std::unique_ptr<CursorBucket>>;
    std::unique_ptr<CursorBucket> b(new CursorBucket());
    b->name_ = spec.name + "_webhooks";
    b->js_ = c.js();
    b->epoch_ = std::move(epoch);
    b->where_ = "bucket " + b->name_ + " at " + c.where();
    if (b->name_.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
        return R::of_error({"cluster_bucket_name", "--cluster.stream",
                            "a stream name of letters, digits, '_' and '-' (its webhook cursors live in a bucket named after it)",
                            "'" + spec.name + "'"});
    natsStatus s = js_KeyValue(&b->kv_, c.js(), b->name_.c_str());
    if (s == NATS_NOT_FOUND || s == NATS_ERR) {
        kvConfig cfg;
        kvConfig_Init(&cfg);
        cfg.Bucket = b->name_.c_str();
        cfg.Description = "declared: webhook cursors";
        cfg.History = 1;
        cfg.Replicas = spec.replicas;
        cfg.StorageType = js_FileStorage;
        s = js_CreateKeyValue(&b->kv_, c.js(), &cfg);
    }
    if (s != NATS_OK) return R::of_error(nats_error("cluster_unavailable", b->where_, "the webhook cursor bucket", s));
    return R{std::move(b), {}};
}

CursorBucket::~CursorBucket() {
    if (kv_) kvStore_Destroy(kv_);
}

Result<std::optional<std::uint64_t>> CursorBucket::load(const std::string& webhook) const {
    using R = Result<std::optional<std::uint64_t>>;
    kvEntry* e = nullptr;
    const natsStatus s = kvStore_Get(&e, kv_, webhook.c_str());
    if (s == NATS_NOT_FOUND) return R{std::optional<std::uint64_t>{}, {}};
    if (s != NATS_OK) return R::of_error(nats_error("cluster_unavailable", where_, "webhook " + webhook + "'s cursor", s));
    const std::string value(static_cast<const char*>(kvEntry_Value(e)), static_cast<std::size_t>(kvEntry_ValueLen(e)));
    kvEntry_Destroy(e);
    const auto space = value.find(' ');
    std::uint64_t seq = 0;
    const char* first = value.data() + (space == std::string::npos ? value.size() : space + 1);
    const auto [end, err] = std::from_chars(first, value.data() + value.size(), seq);
    if (space == std::string::npos || err != std::errc() || end != value.data() + value.size())
        return R::of_error({"bad_cursor", where_ + ", key " + webhook, "\"<epoch> <seq>\"", "'" + value.substr(0, 80) + "'"});
    if (value.substr(0, space) != epoch_) return R{std::optional<std::uint64_t>{}, {}};  // another night's: none here
    return R{std::optional<std::uint64_t>{seq}, {}};
}

// A put is a publish to the key's subject, acknowledged by the bucket's
// stream. Published directly: libnats 3.4.1's kvStore_Put crashed inside the
// library (SIGSEGV) on the first put here, where kvStore_Get works.
std::optional<Error> CursorBucket::save(const std::string& webhook, std::uint64_t seq) {
    const std::string value = epoch_ + " " + std::to_string(seq);
    const std::string subject = "$KV." + name_ + "." + webhook;
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_Publish(&ack, js_, subject.c_str(), value.data(), static_cast<int>(value.size()), nullptr, &jerr);
    if (ack) jsPubAck_Destroy(ack);
    if (s != NATS_OK) return nats_error("cluster_unavailable", where_, "webhook " + webhook + "'s cursor saved", s, jerr);
    return std::nullopt;
}

}  // namespace declared::cluster
