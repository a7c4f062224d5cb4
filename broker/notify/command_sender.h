#ifndef DSR_BROKER_NOTIFY_COMMAND_SENDER_H_
#define DSR_BROKER_NOTIFY_COMMAND_SENDER_H_

// Text messages through an operator's command (a gateway's CLI, a script
// that calls an SMS provider's webhook): run as `COMMAND` without arguments
// and with only PATH in its environment, the number on the first line of
// standard input and the message after it; exit status 0 means delivered.
// Runs on a SendQueue's thread, at most 30 s per message.

#include <memory>
#include <string>

#include "broker/notify/send_queue.h"

namespace dsr::broker {

// `command`: the path of an executable (no shell is involved).
std::unique_ptr<SendQueue> NewCommandSender(std::string command);

}  // namespace dsr::broker

#endif  // DSR_BROKER_NOTIFY_COMMAND_SENDER_H_
