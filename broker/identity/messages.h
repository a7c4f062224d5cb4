#ifndef DSR_BROKER_IDENTITY_MESSAGES_H_
#define DSR_BROKER_IDENTITY_MESSAGES_H_

// The words of the messages the broker sends people, in English and French.
// They carry the code or the milestone and nothing of anyone else.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/notify/message_sender.h"

namespace dsr::broker {

// A one-time code for `to`. `language`: "fr" or anything else for English.
// `email`: with a subject line (else a text message).
OutgoingMessage CodeMessage(absl::string_view to, absl::string_view code, absl::Duration lifetime,
                            absl::string_view language, bool email);

// What a milestone message says (the Notifier fills it from the request and
// the task). Holder's words are quoted as theirs.
struct Milestone {
  // dsr.storage.v1.OutboxRecord.Kind value.
  int kind = 0;
  std::string request_name;
  std::string request_type;
  // The task's holding, for a task's milestone.
  std::string holding;
  // REFUSED: the ground (its enum name).
  std::string ground;
  // EXTENDED: the months granted in all; EXTENDED and IDENTITY_REQUESTED:
  // the holder's words.
  int extension_months = 0;
  std::string holder_words;
};

// The email about `milestone` to `to`. `language`: "fr" or English.
OutgoingMessage MilestoneMessage(absl::string_view to, absl::string_view language,
                                 const Milestone& milestone);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_MESSAGES_H_
