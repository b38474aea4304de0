#include "daemon/serve/cluster_metrics.hpp"

#include <fmt/format.h>

#include "ingest/metrics.hpp"

namespace declared {

void render_cluster_metrics(std::string& out, const cluster::JetStreamJournal& journal, const ClusterNode& node) {
    const auto status = node.status();
    out += "# HELP declared_cluster_role 1 for this node's role (primary writes the stream; standby and edge follow it).\n"
           "# TYPE declared_cluster_role gauge\n";
    for (auto r : {ClusterRole::primary, ClusterRole::standby, ClusterRole::edge})
        out += fmt::format("declared_cluster_role{{role=\"{}\"}} {}\n", to_string(r), r == status.role ? 1 : 0);
    render_gauge(out, "declared_cluster_writer", "1 while this node writes the stream.",
                 status.role == ClusterRole::primary ? 1.0 : 0.0);
    render_gauge(out, "declared_cluster_applied_sequence", "The last stream sequence a follower has applied (0 on the writer).",
                 static_cast<double>(status.applied));
    render_gauge(out, "declared_cluster_stream_lag", "Messages the stream holds that this follower has not received.",
                 static_cast<double>(status.pending));
    render_gauge(out, "declared_cluster_follower_broken", "1 once the follower stopped (a gap, a record that does not apply).",
                 status.broken.code.empty() ? 0.0 : 1.0);
    render_counter(out, "declared_cluster_takeovers_total", "Times this node claimed the stream from a silent writer.",
                   status.takeovers);
    render_counter(out, "declared_cluster_step_downs_total", "Times this node stopped writing because another claimed the stream.",
                   status.step_downs);
    render_counter(out, "declared_journal_records_total", "Records made durable in this node's current term as writer.",
                   node.sync_stats().records);
    const auto s = journal.stats();
    render_counter(out, "declared_cluster_publishes_total", "Appends published to the stream, resends included.",
                   s.published);
    render_counter(out, "declared_cluster_resends_total", "Appends sent again after an unknown outcome.", s.resends);
    render_counter(out, "declared_cluster_unknown_outcomes_total",
                   "Publishes with no answer at first (timeout, no responders).", s.unknown);
    render_counter(out, "declared_cluster_read_back_total", "Outcomes settled by reading the stream back.", s.read_back);
    render_counter(out, "declared_cluster_acknowledged_total", "Messages the stream acknowledged.", s.acknowledged);
}

}  // namespace declared
