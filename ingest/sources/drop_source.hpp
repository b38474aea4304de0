#pragma once
// The drop directory: complete files of declarations (written elsewhere or
// under a dot-name, then renamed in) are ingested once each, in name order.
// Accepted files move to processed/; refused ones to rejected/ with
// NAME.error.json beside them. inotify wakes the scan at once; a periodic
// rescan covers filesystems where inotify is silent (NFS, overlay). A file
// that was ingested but could not be moved (processed/ removed, disk full) is
// remembered and its move retried on every scan, never ingested again; until
// the move succeeds the source reports itself broken in SourceHealth.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ingest/ingest.hpp"
#include "ingest/sources/source_health.hpp"
#include "ingest/sources/source.hpp"
#include "model/error.hpp"

namespace declared {

class DropSource : public Source {
public:
    DropSource(boost::asio::io_context& ioc, Ingest& ingest, SourceHealth& health, std::string dir,
               std::chrono::milliseconds rescan);
    ~DropSource() override;

    // Creates processed/ and rejected/, starts watching. An unusable
    // directory is an error (the daemon refuses to start).
    std::optional<Error> start() override;
    void stop() override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace declared
