#include "broker/identity/messages.h"

#include <algorithm>
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

namespace {

// Kinds, as in dsr.storage.v1.OutboxRecord.Kind.
enum Kind {
  kFiled = 1,
  kAllAnswered = 2,
  kRefused = 3,
  kExtended = 4,
  kOverdue = 5,
  kIdentity = 6
};

// The holder's words, as one short quoted paragraph: never more than 300
// characters, line breaks flattened, so that they cannot pass for the
// broker's own text.
std::string Quoted(absl::string_view words) {
  size_t keep = std::min<size_t>(words.size(), 300);
  // Not inside a UTF-8 character.
  while (keep < words.size() && keep > 0 &&
         (static_cast<unsigned char>(words[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  std::string flat;
  for (char c : words.substr(0, keep)) flat.push_back(c == '\n' || c == '\r' ? ' ' : c);
  if (keep < words.size()) flat += "...";
  return absl::StrCat("\"", flat, "\"");
}

}  // namespace

OutgoingMessage MilestoneMessage(absl::string_view to, absl::string_view language,
                                 const Milestone& m) {
  const bool fr = language == "fr";
  OutgoingMessage message;
  message.to = std::string(to);
  std::string what;
  switch (m.kind) {
    case kFiled:
      message.subject = fr ? "Votre demande est déposée" : "Your request is filed";
      what = fr ? absl::StrCat("Votre demande ", m.request_type, " ", m.request_name,
                               " est déposée et transmise aux détenteurs de vos données.")
                : absl::StrCat("Your ", m.request_type, " request ", m.request_name,
                               " is filed and forwarded to the holders of your data.");
      break;
    case kAllAnswered:
      message.subject = fr ? "Tous les détenteurs ont répondu" : "Every holder has answered";
      what =
          fr ? absl::StrCat("Tous les détenteurs ont répondu à votre demande ", m.request_name, ".")
             : absl::StrCat("Every holder has answered your request ", m.request_name, ".");
      break;
    case kRefused:
      message.subject =
          fr ? "Un détenteur a refusé votre demande" : "A holder refused your request";
      what = fr ? absl::StrCat(m.holding, " a refusé votre demande ", m.request_name,
                               " (motif : ", m.ground, ").")
                : absl::StrCat(m.holding, " refused your request ", m.request_name,
                               " (ground: ", m.ground, ").");
      break;
    case kExtended:
      message.subject =
          fr ? "Un détenteur prolonge son délai de réponse" : "A holder extended its deadline";
      what = fr ? absl::StrCat(m.holding, " prolonge de ", m.extension_months,
                               " mois en tout le délai de réponse à ", m.request_name,
                               ". Ses mots : ", Quoted(m.holder_words))
                : absl::StrCat(m.holding, " extended its deadline on ", m.request_name, " by ",
                               m.extension_months,
                               " months in all. In its words: ", Quoted(m.holder_words));
      break;
    case kOverdue:
      message.subject = fr ? "Une réponse est en retard" : "An answer is overdue";
      what = fr ? absl::StrCat("Au moins un détenteur n'a pas répondu à temps à ", m.request_name,
                               ". Vous pouvez saisir l'autorité de protection des données.")
                : absl::StrCat("At least one holder has not answered ", m.request_name,
                               " in time. You may complain to a data protection authority.");
      break;
    case kIdentity:
      message.subject = fr ? "Un détenteur demande une nouvelle vérification"
                           : "A holder asks you to verify again";
      what = fr ? absl::StrCat(m.holding, " doute de votre identité pour ", m.request_name,
                               ". Ses mots : ", Quoted(m.holder_words),
                               "\nVérifiez de nouveau votre adresse (dsr verify email) puis "
                               "confirmez (dsr reverify ",
                               m.request_name, ").")
                : absl::StrCat(m.holding, " doubts your identity on ", m.request_name,
                               ". In its words: ", Quoted(m.holder_words),
                               "\nVerify your address again (dsr verify email), then confirm "
                               "(dsr reverify ",
                               m.request_name, ").");
      break;
    default:
      break;
  }
  message.body = absl::StrCat(
      what, "\n\n",
      fr ? "Suivez-la avec votre reçu (dsr status). Ce message ne contient aucune donnée d'une "
           "autre personne ; ne répondez pas."
         : "Follow it with your receipt (dsr status). This message holds no one else's data; do "
           "not reply.",
      "\n");
  return message;
}

}  // namespace dsr::broker
