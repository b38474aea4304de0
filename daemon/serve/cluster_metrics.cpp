#include "daemon/serve/cluster_metrics.hpp"

#include "ingest/metrics.hpp"

namespace declared {

void render_cluster_metrics(std::string& out, const cluster::JetStreamJournal& journal, const Ingest& ingest) {
    const auto s = journal.stats();
    render_gauge(out, "declared_cluster_writer", "1 while this node writes the stream; 0 once another writer fenced it.",
                 ingest.failure().code == "cluster_fenced" ? 0.0 : 1.0);
    render_counter(out, "declared_cluster_publishes_total", "Appends published to the stream, resends included.",
                   s.published);
    render_counter(out, "declared_cluster_resends_total", "Appends sent again after an unknown outcome.", s.resends);
    render_counter(out, "declared_cluster_unknown_outcomes_total",
                   "Publishes with no answer at first (timeout, no responders).", s.unknown);
    render_counter(out, "declared_cluster_read_back_total", "Outcomes settled by reading the stream back.", s.read_back);
    render_counter(out, "declared_cluster_acknowledged_total", "Messages the stream acknowledged.", s.acknowledged);
}

}  // namespace declared
