#ifndef DSR_CLIENT_CLI_RECEIPTS_H_
#define DSR_CLIENT_CLI_RECEIPTS_H_

// A person's receipts, kept in private files so that `dsr status` needs no
// token on the command line: DATA_DIR/receipts/{request} (mode 0600, in a
// mode 0700 directory), and DATA_DIR/receipts/latest naming the newest.

#include <string>

#include "absl/status/statusor.h"

namespace dsr::client {

class ReceiptStore {
 public:
  // `data_dir` empty: $XDG_DATA_HOME/dsr, else $HOME/.local/share/dsr.
  explicit ReceiptStore(std::string data_dir);

  // Keeps `token` for `request_name` (`requests/{request}`) and marks it the
  // latest. UNAVAILABLE if the files cannot be written.
  absl::Status Save(const std::string& request_name, const std::string& token) const;
  // The receipt of `request_name`; NOT_FOUND if none is kept.
  absl::StatusOr<std::string> Load(const std::string& request_name) const;
  // The newest request's name; NOT_FOUND if none.
  absl::StatusOr<std::string> Latest() const;

  // The receipt to send with a submit whose idempotency key is
  // `request_id`: the one kept from an earlier try with that key (so that a
  // retry carries the same receipt), else a new random one, kept before the
  // call (pending-{key}) so that a lost response loses nothing. Empty
  // `request_id`: a new one, not kept until the request is filed.
  absl::StatusOr<std::string> ReceiptForSubmit(const std::string& request_id) const;
  // Forgets the pending receipt of `request_id` once its request is saved.
  void Filed(const std::string& request_id) const;

  const std::string& directory() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_RECEIPTS_H_
