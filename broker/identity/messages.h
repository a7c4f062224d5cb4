#ifndef DSR_BROKER_IDENTITY_MESSAGES_H_
#define DSR_BROKER_IDENTITY_MESSAGES_H_

// The words of the messages the broker sends people, in English and French.
// They carry the code or the milestone and nothing of anyone else.

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/notify/message_sender.h"

namespace dsr::broker {

// A one-time code for `to`. `language`: "fr" or anything else for English.
// `email`: with a subject line (else a text message).
OutgoingMessage CodeMessage(absl::string_view to, absl::string_view code, absl::Duration lifetime,
                            absl::string_view language, bool email);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_MESSAGES_H_
