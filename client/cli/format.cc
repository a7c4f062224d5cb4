#include "client/cli/format.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace dsr::client {

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < cells.size(); ++c) {
      text += cells[c];
      if (c + 1 < cells.size()) text += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string TreeLine(const std::vector<bool>& open, bool last, const std::string& label) {
  std::string prefix;
  for (bool o : open) prefix += o ? "│   " : "    ";
  return absl::StrCat(prefix, last ? "└── " : "├── ", label);
}

}  // namespace dsr::client

namespace dsr::client {

std::string HolderWords(const std::string& text) {
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r' || c == '\t') {
      clean.push_back(' ');
      continue;
    }
    if (c < 0x20 || c == 0x7f) continue;  // ESC and the other controls
    // U+202A-U+202E and U+2066-U+2069 (bidirectional overrides and
    // isolates) are E2 80 AA-AE and E2 81 A6-A9 in UTF-8; U+200E/F too.
    if (c == 0xE2 && i + 2 < text.size()) {
      const unsigned char b = static_cast<unsigned char>(text[i + 1]);
      const unsigned char d = static_cast<unsigned char>(text[i + 2]);
      if ((b == 0x80 && ((d >= 0xAA && d <= 0xAE) || d == 0x8E || d == 0x8F)) ||
          (b == 0x81 && d >= 0xA6 && d <= 0xA9)) {
        i += 2;
        continue;
      }
    }
    clean.push_back(static_cast<char>(c));
  }
  std::string defanged;
  for (size_t at = 0;;) {
    const size_t found = clean.find("://", at);
    if (found == std::string::npos) {
      defanged.append(clean, at, std::string::npos);
      break;
    }
    defanged.append(clean, at, found - at);
    defanged.append("[:]//");
    at = found + 3;
  }
  return "(the holder's words) \"" + defanged + "\"";
}

}  // namespace dsr::client
