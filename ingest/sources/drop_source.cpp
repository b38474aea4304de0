#include "ingest/sources/drop_source.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "ingest/async_submit.hpp"
#include "ingest/batch_report.hpp"
#include "ingest/logging.hpp"
#include "ingest/read_file.hpp"

namespace declared {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

// Files still being written carry a dot-name or a temporary suffix.
bool wanted(const fs::directory_entry& e) {
    if (!e.is_regular_file()) return false;
    const std::string name = e.path().filename().string();
    if (name.empty() || name.front() == '.') return false;
    const std::string ext = e.path().extension().string();
    return ext == ".jsonl" || ext == ".ndjson" || ext == ".json";
}

// Moves a file into sub/ (made again if someone removed it), never over an
// earlier file of the same name. Returns where it went, or why it could not.
struct Moved {
    fs::path to;
    std::error_code error;
};
Moved move_into(const fs::path& file, const fs::path& sub) {
    Moved m;
    fs::create_directories(sub, m.error);
    if (m.error) return m;
    m.to = sub / file.filename();
    for (int n = 1; fs::exists(m.to, m.error); ++n) m.to = sub / (file.filename().string() + "." + std::to_string(n));
    if (!m.error) fs::rename(file, m.to, m.error);
    return m;
}

// What makes a file the same file on the next scan: a rewritten one is new.
struct FileId {
    std::uintmax_t size = 0;
    fs::file_time_type mtime;
    bool operator==(const FileId&) const = default;
};
std::optional<FileId> file_id(const fs::path& p) {
    std::error_code ec;
    FileId id{fs::file_size(p, ec), {}};
    if (ec) return std::nullopt;
    id.mtime = fs::last_write_time(p, ec);
    if (ec) return std::nullopt;
    return id;
}

}  // namespace

struct DropSource::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& ioc, Ingest& in, SourceHealth& h, std::string d, std::chrono::milliseconds r)
        : ingest(in), health(h), dir(std::move(d)), rescan(r), strand(asio::make_strand(ioc)), timer(strand),
          notify(strand), log_limit(std::chrono::minutes(1)) {}

    // A file ingested whose move out of the directory failed: where it goes.
    struct Unmoved {
        FileId id;
        fs::path sub;
        std::string error_report;  // for rejected/: NAME.error.json's content
    };

    Ingest& ingest;
    SourceHealth& health;
    fs::path dir;
    std::chrono::milliseconds rescan;
    asio::strand<asio::io_context::executor_type> strand;  // the scanner and the watcher take turns
    asio::steady_timer timer;
    asio::posix::stream_descriptor notify;
    RateLimit log_limit;
    std::map<fs::path, Unmoved> unmoved;
    std::string problem;  // as last reported to health
    bool stopped = false;

    awaitable<void> run() {
        auto self = shared_from_this();
        while (!stopped) {
            co_await scan();
            boost::system::error_code ec;
            timer.expires_after(rescan);
            co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));  // cancelled by inotify or stop
        }
    }

    awaitable<void> watch() {
        auto self = shared_from_this();
        std::array<char, 4096> buf;
        for (;;) {
            boost::system::error_code ec;
            co_await notify.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
            if (ec || stopped) co_return;
            timer.cancel();  // wake the scanner now
        }
    }

    awaitable<void> scan() {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (wanted(e)) files.push_back(e.path());
        if (ec) {
            set_problem("cannot list " + dir.string() + ": " + ec.message());
            co_return;
        }
        std::sort(files.begin(), files.end());
        std::erase_if(unmoved, [&](const auto& u) { return !std::binary_search(files.begin(), files.end(), u.first); });
        for (const auto& f : files) {
            if (stopped) co_return;
            if (auto u = unmoved.find(f); u != unmoved.end()) {
                if (file_id(f) == u->second.id) {  // applied already: only its move is owed
                    const Unmoved owed = u->second;  // finish() erases the entry it came from
                    finish(f, owed.sub, owed.error_report);
                    continue;
                }
                unmoved.erase(u);  // rewritten since: a new file
            }
            if (!co_await ingest_file(f)) co_return;  // the daemon is busy: try again on the next scan
        }
        if (unmoved.empty()) set_problem("");
    }

    // False when the file should be retried later.
    awaitable<bool> ingest_file(const fs::path& file) {
        const std::string name = file.filename().string();
        auto id = file_id(file);
        if (!id) co_return true;  // gone meanwhile
        if (id->size > kMaxFileBytes) {
            finish(file, "rejected",
                   rejection(Error{"file_too_large", name, "a file of at most 64 MiB", std::to_string(id->size) + " bytes"}),
                   *id);
            co_return true;
        }
        auto text = read_file(file.string());
        if (!text.ok()) {
            spdlog::warn("drop directory: cannot read {}: {}", name, text.error.got);
            co_return true;
        }
        auto format = file.extension() == ".json" ? Ingest::Format::single : Ingest::Format::lines;
        BatchResult r = co_await async_submit(ingest, std::move(*text.value), format, "drop:" + name,
                                              Ingest::Mode::all_or_nothing, use_awaitable);
        switch (r.status) {
            case BatchResult::Status::busy:
            case BatchResult::Status::unavailable: co_return false;
            case BatchResult::Status::done: {
                auto report = batch_report(r);
                spdlog::info("drop directory: {}: {} accepted, {} duplicate, {} stale", name,
                             report["accepted"].as_uint64(), report["duplicate"].as_uint64(), report["stale"].as_uint64());
                finish(file, "processed", "", *id);
                co_return true;
            }
            case BatchResult::Status::rejected:
            case BatchResult::Status::conflict: {
                auto report = batch_report(r);
                if (r.status == BatchResult::Status::conflict)
                    report["note"] = "lines without an error were applied; the conflicting ones were not";
                else
                    report["note"] = "nothing in this file was applied";
                spdlog::warn("drop directory: {} rejected: {}", name,
                             report.contains("error") ? std::string(report["error"].at("message").as_string()) : "see error file");
                finish(file, "rejected", boost::json::serialize(report), *id);
                co_return true;
            }
        }
        co_return true;
    }

    static std::string rejection(const Error& e) {
        spdlog::warn("drop directory: rejected: {}", e.message());
        boost::json::object report{{"status", "rejected"}, {"error", error_json(e)}, {"note", "nothing in this file was applied"}};
        return boost::json::serialize(report);
    }

    // Moves a handled file into sub/ (with its error report for rejected/).
    // A failed move is remembered with the file's identity, retried on every
    // scan, and reported: the file is never ingested again.
    void finish(const fs::path& file, const fs::path& sub, const std::string& error_report,
                std::optional<FileId> id = std::nullopt) {
        auto moved = move_into(file, dir / sub);
        if (moved.error) {
            if (id) unmoved[file] = Unmoved{*id, sub, error_report};
            set_problem("cannot move " + file.filename().string() + " into " + (dir / sub).string() + ": " +
                        moved.error.message() + " (it was handled; the move is retried, it is not ingested again)");
            return;
        }
        unmoved.erase(file);
        if (!error_report.empty()) write_report(moved.to, error_report);
    }

    // NAME.error.json beside the rejected file, whole or not at all (written
    // under a dot-name, then renamed), its name cut to fit the 255-byte limit.
    static void write_report(const fs::path& rejected, const std::string& report) {
        constexpr std::string_view kSuffix = ".error.json";
        std::string name = rejected.filename().string();
        if (name.size() + kSuffix.size() + 5 > 255) name.resize(255 - kSuffix.size() - 5);
        const fs::path target = rejected.parent_path() / (name + std::string(kSuffix));
        const fs::path temp = rejected.parent_path() / ("." + name + ".tmp");
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out << report << '\n';
            if (!out) return spdlog::error("drop directory: cannot write {}", temp.string());
        }
        std::error_code ec;
        fs::rename(temp, target, ec);
        if (ec) spdlog::error("drop directory: cannot write {}: {}", target.string(), ec.message());
    }

    void set_problem(std::string p) {
        if (p == problem) {
            if (p.empty() || !log_limit.allow()) return;  // the same problem: again at most once a minute
        } else if (!p.empty()) {
            log_limit.allow();
        }
        if (p.empty()) spdlog::info("drop directory {}: working again", dir.string());
        else spdlog::error("drop directory {}: {} ({} similar lines not logged)", dir.string(), p, log_limit.suppressed());
        problem = std::move(p);
        health.report("drop", problem);
    }
};

DropSource::DropSource(asio::io_context& ioc, Ingest& ingest, SourceHealth& health, std::string dir,
                       std::chrono::milliseconds rescan)
    : impl_(std::make_shared<Impl>(ioc, ingest, health, std::move(dir), rescan)) {}

DropSource::~DropSource() { stop(); }

std::optional<Error> DropSource::start() {
    std::error_code ec;
    fs::create_directories(impl_->dir, ec);
    if (!fs::is_directory(impl_->dir, ec))
        return Error{"bad_drop_dir", "drop.dir", "a directory (created if absent)", impl_->dir.string() + " is not one"};
    impl_->health.report("drop", "");
    for (const char* sub : {"processed", "rejected"}) {
        fs::create_directories(impl_->dir / sub, ec);
        if (ec) return Error{"bad_drop_dir", "drop.dir", "a writable directory", (impl_->dir / sub).string() + ": " + ec.message()};
    }
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0 && inotify_add_watch(fd, impl_->dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) >= 0) {
        impl_->notify.assign(fd);
        asio::co_spawn(impl_->strand, impl_->watch(), asio::detached);
    } else {
        if (fd >= 0) ::close(fd);
        spdlog::warn("drop directory {}: inotify unavailable, rescanning every {} ms", impl_->dir.string(),
                     impl_->rescan.count());
    }
    asio::co_spawn(impl_->strand, impl_->run(), asio::detached);
    spdlog::info("drop directory {}: watching", impl_->dir.string());
    return std::nullopt;
}

void DropSource::stop() {
    asio::post(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->timer.cancel();
        boost::system::error_code ec;
        impl->notify.close(ec);
    });
}

}  // namespace declared
