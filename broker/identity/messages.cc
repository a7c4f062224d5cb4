#include "broker/identity/messages.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace dsr::broker {

OutgoingMessage CodeMessage(absl::string_view to, absl::string_view code, absl::Duration lifetime,
                            absl::string_view language, bool email) {
  const int64_t minutes = absl::ToInt64Minutes(lifetime);
  OutgoingMessage message;
  message.to = std::string(to);
  if (language == "fr") {
    if (email) message.subject = "Votre code de vérification DSR Broker";
    message.body = absl::StrCat(
        "Votre code de vérification DSR Broker : ", code, "\n\n", "Il expire dans ", minutes,
        " minutes. Ne le communiquez à personne.\n",
        "Si vous n'avez rien demandé, ignorez ce message : aucune demande n'est déposée sans "
        "ce code.\n");
  } else {
    if (email) message.subject = "Your DSR Broker verification code";
    message.body = absl::StrCat(
        "Your DSR Broker verification code: ", code, "\n\n", "It expires in ", minutes,
        " minutes. Do not share it with anyone.\n",
        "If you did not ask for it, ignore this message: no request is filed without this "
        "code.\n");
  }
  return message;
}

}  // namespace dsr::broker
