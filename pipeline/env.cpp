#include "pipeline/env.h"

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

const Env& Env::real() {
  static const Env env;
  return env;
}

}  // namespace intake
