#include "feed/dead_letter.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace declared::feed {

namespace {

std::string failed(const char* what, const std::string& path) { return std::string(what) + " " + path + ": " + std::strerror(errno); }

// Opens path and locks it; retries when the taker moved it aside meanwhile,
// so the lock held is on the file the path names. -1 with error set on failure.
int open_locked(const std::string& path, int flags, std::string& error) {
    for (;;) {
        const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
        if (fd < 0) return error = failed("open", path), -1;
        if (::flock(fd, LOCK_EX) != 0) return error = failed("lock", path), ::close(fd), -1;
        struct stat held {}, named {};
        if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev)
            return fd;
        ::close(fd);  // moved aside while we waited: open what the path names now
    }
}

bool write_all(int fd, const std::string& bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::optional<std::string> read_all(const std::string& path, std::string& out) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed("open", path);
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return ::close(fd), failed("read", path);
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> append_dead_letter(const std::string& path, const std::string& line) {
    std::string error;
    const int fd = open_locked(path, O_WRONLY | O_APPEND | O_CREAT, error);
    if (fd < 0) return error;
    const bool ok = write_all(fd, line + "\n") && ::fsync(fd) == 0;
    if (!ok) error = failed("write", path);
    ::close(fd);
    return ok ? std::nullopt : std::optional<std::string>(error);
}

Redelivery redeliver_dead_letters(const std::string& path, const std::function<bool(const std::string&)>& deliver) {
    Redelivery r;
    const std::string aside = path + ".redelivering";
    struct stat st {};
    if (::stat(aside.c_str(), &st) != 0) {  // else a taker died part-way: finish its file first
        if (::stat(path.c_str(), &st) != 0) return r;  // nothing dead-lettered
        const int fd = open_locked(path, O_RDONLY, r.error);
        if (fd < 0) return r;
        const bool moved = ::rename(path.c_str(), aside.c_str()) == 0;
        if (!moved) r.error = failed("rename", path);
        ::close(fd);
        if (!moved) return r;
    }
    std::string text;
    if (auto e = read_all(aside, text)) return r.error = *e, r;
    std::vector<std::string> kept;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        ++r.taken;
        if (deliver(line)) ++r.delivered;
        else kept.push_back(std::move(line));
    }
    for (const auto& line : kept)
        if (auto e = append_dead_letter(path, line)) return r.error = *e, r;  // the moved file stays for next time
    if (::unlink(aside.c_str()) != 0) r.error = failed("remove", aside);
    return r;
}

}  // namespace declared::feed
