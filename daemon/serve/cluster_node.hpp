#pragma once
// ClusterNode: one node's role on a cluster stream (docs/cluster.md).
//
// - primary: claims the stream at start (a writer claim appended with the
//   expected last sequence), then writes it through a GroupCommitter and
//   sends a heartbeat every interval.
// - standby: follows the stream into the same tally, so it is always
//   current; when no heartbeat has come for takeover_after, it catches up
//   to the stream's last sequence and claims it, and serves ingest from then
//   on. Safety never rests on the heartbeat: a claim only lands if nothing
//   was written after what the standby applied, and once it lands the old
//   writer's next append is refused (10071).
// - edge: follows, never claims.
//
// A primary fenced by another's claim steps down to standby: it stops
// writing and follows from the last sequence it had acknowledged. Role
// changes happen on the node's own thread; the ingest strand stays the one
// writer of the tally.
//
// Ingest through any node: a standby or an edge forwards each POST it has
// authenticated (declarations, desk actions) to the primary over NATS
// request/reply, and relays the primary's answer, so reporters need one URL
// whichever node is primary. With no primary (a takeover under way) the
// answer is 503 cluster_no_primary at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cluster/jetstream_journal.hpp"
#include "cluster/stream_follower.hpp"
#include "ingest/ingest.hpp"
#include "journal/group_commit.hpp"

namespace declared {

enum class ClusterRole { primary, standby, edge };
std::string_view to_string(ClusterRole r);

// A POST a follower relays: what it was, who sent it (already authenticated
// on the follower), and its body.
struct ForwardedRequest {
    std::string kind;          // "declarations" or "desk"
    std::string principal;     // the ingest source or desk name its token maps to
    std::string content_type;
    std::string body;
};
// The primary's answer, as HTTP status and JSON body.
using ForwardDone = std::function<void(int status, std::string body)>;
// The primary's side: handle the request as if it had come over HTTP.
using ForwardHandler = std::function<void(ForwardedRequest, ForwardDone)>;

struct ClusterNodeOptions {
    ClusterRole role = ClusterRole::primary;
    std::string node;  // a name for operators, in claims and heartbeats
    std::chrono::milliseconds heartbeat{500};
    std::chrono::milliseconds takeover_after{3000};
    std::chrono::milliseconds forward_timeout{10000};  // a relayed POST unanswered this long: 503
    // On the node's thread when it becomes the writer (true) and when it
    // stops being it (false): what only the writer does (webhooks) follows.
    std::function<void(bool writing)> on_writer;
    // Once, on whichever thread found it, when following stops for good (a
    // gap, a record that does not apply): the node cannot go on without one.
    std::function<void(const Error&)> on_lost_stream;
    GroupCommitOptions commit;
};

// What /readyz and /metrics say about the node; any thread.
struct ClusterStatus {
    ClusterRole role = ClusterRole::primary;
    std::string writer_node;      // the stream's writer as last seen (claims, heartbeats)
    std::uint64_t applied = 0;    // the last stream sequence this node has (written or followed)
    std::uint64_t pending = 0;    // a follower's messages not yet received
    std::uint64_t takeovers = 0;  // claims this node made after start
    std::uint64_t step_downs = 0;
    Error broken;                 // the follower stopped (a gap, a record that does not apply)
};

class ClusterNode {
public:
    ClusterNode(cluster::JetStreamJournal& journal, Ingest& ingest, ClusterNodeOptions options);
    ~ClusterNode();  // stop()
    ClusterNode(const ClusterNode&) = delete;
    ClusterNode& operator=(const ClusterNode&) = delete;

    // The primary's handler for relayed POSTs; set before start().
    void serve_forwarded(ForwardHandler handler) { forward_handler_ = std::move(handler); }
    // Any thread: relays req to the primary; done runs once, on a libnats
    // thread or the node's, with the primary's answer or a 503 saying why not.
    void forward(ForwardedRequest req, ForwardDone done);
    bool primary() const { return role_ == ClusterRole::primary; }
    // Any thread: true while this node is the writer and its last heartbeat
    // reached the servers less than takeover_after/2 ago. A standby takes
    // over only after a full takeover_after without one, so a node holding
    // the lease is, short of heartbeats delayed by over takeover_after/2 on
    // their way, the only one (a paused primary wakes up without it).
    bool holds_lease() const;

    // After ingest.load(journal): takes the configured role (a primary whose
    // claim is lost comes up as standby). An error leaves nothing running.
    std::optional<Error> start();
    // Stops the role thread and the follower; a primary's queued records are
    // written and answered first. Idempotent.
    void stop();

    ClusterStatus status() const;
    SyncStats sync_stats() const;

private:
    void run();
    void become_primary(std::uint64_t claim_seq, const char* how);
    std::optional<Error> follow_from(std::uint64_t seq);
    void lost_stream(const Error& e);
    void step_down();
    void try_takeover(bool resigned);
    void check_claims();
    void send_heartbeat(bool resigning = false);
    void drain_strand();
    Error not_primary() const;
    static void on_heartbeat(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
    static void on_claim(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
    static void on_forwarded(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
    static void on_forward_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
    void expire_forwards();

    cluster::JetStreamJournal& journal_;
    Ingest& ingest_;
    ClusterNodeOptions options_;

    // Owned by the node's thread (and start/stop, before and after it).
    std::unique_ptr<GroupCommitter> committer_;
    std::vector<std::unique_ptr<GroupCommitter>> retired_;  // stopped; kept while ingest may hold a pointer
    std::unique_ptr<cluster::StreamFollower> follower_;
    natsSubscription* heartbeats_ = nullptr;
    natsSubscription* claims_ = nullptr;
    natsSubscription* ingest_requests_ = nullptr;  // while primary
    natsSubscription* forward_replies_ = nullptr;
    std::string reply_prefix_;
    ForwardHandler forward_handler_;
    struct Waiting {
        ForwardDone done;
        std::chrono::steady_clock::time_point deadline;
    };
    std::mutex forward_mutex_;
    std::unordered_map<std::uint64_t, Waiting> waiting_;  // relayed POSTs by reply token
    std::uint64_t next_token_ = 0;
    std::thread thread_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool fenced_ = false;       // ingest saw a 10071 from another writer
    bool claim_seen_ = false;   // a claim went by on the writer subject
    bool resigned_ = false;     // the writer said it is shutting down
    std::string writer_id_;     // this node's, while it writes
    std::string writer_node_;
    std::chrono::steady_clock::time_point last_heartbeat_;
    std::atomic<ClusterRole> role_;
    std::atomic<std::chrono::steady_clock::rep> lease_until_{0};  // steady_clock ticks
    std::atomic<std::uint64_t> takeovers_{0}, step_downs_{0};
    Error broken_;
};

}  // namespace declared
