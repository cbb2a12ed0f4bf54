#include "pipeline/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace intake {

std::filesystem::path Env::copy_into(const std::filesystem::path& file, const std::filesystem::path& dir,
                                     const std::string& name, std::error_code& ec) const {
  ec.clear();
  const auto target = dir / name;  // a name may hold folders of the batch ("envelope-3/p1.png")
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return {};
  const auto status = std::filesystem::symlink_status(file, ec);
  if (ec) return {};
  if (!std::filesystem::is_regular_file(status)) {
    ec = std::make_error_code(std::errc::not_supported);
    return {};
  }
  if (std::filesystem::exists(target, ec)) return target;
  // Through a temporary name: a copy cut short (a full disk) never passes for a whole one.
  const auto partial = target.parent_path() / ("." + target.filename().string() + ".partial");
  std::filesystem::copy_file(file, partial, std::filesystem::copy_options::overwrite_existing, ec);
  if (!ec) std::filesystem::rename(partial, target, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    return {};
  }
  return target;
}

void Env::write_file(const std::filesystem::path& file, std::string_view bytes, std::error_code& ec) const {
  ec.clear();
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return;
  }
  const auto partial = file.parent_path() / ("." + file.filename().string() + ".partial");
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    ec = std::error_code(errno, std::generic_category());
    return;
  }
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ec = std::error_code(n < 0 ? errno : ENOSPC, std::generic_category());
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (!ec && ::fsync(fd) != 0) ec = std::error_code(errno, std::generic_category());
  if (::close(fd) != 0 && !ec) ec = std::error_code(errno, std::generic_category());
  if (!ec) std::filesystem::rename(partial, file, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
  }
}

void write_export(const std::filesystem::path& file, std::string_view bytes, const Env& env) {
  std::error_code ec;
  env.write_file(file, bytes, ec);
  if (ec) throw std::runtime_error(file.string() + ": cannot write: " + ec.message());
}

const Env& Env::real() {
  static const Env env;
  return env;
}

}  // namespace intake
