#ifndef DSR_CLIENT_CLI_FORMAT_H_
#define DSR_CLIENT_CLI_FORMAT_H_

// Text output of the `dsr` command line: dates, aligned tables, trees.

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"

namespace dsr::client {

// "2026-12-30 14:05 UTC"; "-" for an unset time.
std::string FormatTime(const google::protobuf::Timestamp& time);

// Prints `rows` under `header` with columns padded to their widest cell.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// One line of a tree: `label` at `depth`, drawn with `last` telling whether
// it is its parent's last child; `open` says, per ancestor level, whether
// that ancestor has siblings still to come.
std::string TreeLine(const std::vector<bool>& open, bool last, const std::string& label);

// Text a holder wrote for the person (an explanation, an extension's
// reason, an access report's fields), as the person sees it: marked as the
// holder's words and quoted, on one line, without control characters (a
// terminal escape could redraw the screen) or bidirectional overrides (they
// could reverse what is read), and with no link a terminal would open: the
// `://` of any address becomes `[:]//`. Holders' text may be a phishing
// attempt; the broker vouches for none of it.
std::string HolderWords(const std::string& text);

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_FORMAT_H_
