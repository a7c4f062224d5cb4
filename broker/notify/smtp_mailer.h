#ifndef DSR_BROKER_NOTIFY_SMTP_MAILER_H_
#define DSR_BROKER_NOTIFY_SMTP_MAILER_H_

// Email through an SMTP server, with libcurl's SMTP client: STARTTLS when the
// server offers it (or always, when required), optional login, plain-text
// UTF-8 messages. Delivery runs on a SendQueue's thread.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/notify/send_queue.h"

namespace dsr::broker {

struct SmtpOptions {
  // REQUIRED. `smtp://HOST[:PORT]` (STARTTLS when offered) or
  // `smtps://HOST[:PORT]` (TLS from the start).
  std::string url;
  // REQUIRED. The sender's address, e.g. `dsr-broker@example.org`.
  std::string from;
  // Login, when the server needs one.
  std::string username;
  std::string password;
  // Refuse to send without TLS (a server that offers no STARTTLS fails).
  bool require_tls = false;
  // CA certificates to check the server with; default: the system's.
  std::string ca_file;
  // Per attempt, connecting and sending together.
  absl::Duration timeout = absl::Seconds(30);
  SendQueueOptions queue;
};

// Checks the options (INVALID_ARGUMENT naming the field) and starts the
// queue's thread.
absl::StatusOr<std::unique_ptr<SendQueue>> NewSmtpMailer(SmtpOptions options);

// The message as sent (for tests): headers and body with CRLF line ends; the
// subject RFC 2047-encoded when it is not ASCII.
std::string FormatEmail(const SmtpOptions& options, const OutgoingMessage& message, absl::Time now);

}  // namespace dsr::broker

#endif  // DSR_BROKER_NOTIFY_SMTP_MAILER_H_
