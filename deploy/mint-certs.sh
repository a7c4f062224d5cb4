#!/usr/bin/env bash
# Mints a development certificate authority, a server certificate and client
# certificates for organisations (actors), for running dsr-broker with TLS
# and mutual TLS. Not for production: use your organisation's CA there.
#
#   deploy/mint-certs.sh OUT_DIR [ACTOR...]
#
# Writes, in OUT_DIR:
#   ca.pem, ca.key                   the CA (keep ca.key away from the broker)
#   server.pem, server.key           for dsr-broker --tls_cert/--tls_key; valid for
#                                    localhost, 127.0.0.1 and ::1 (add names with
#                                    DSR_SERVER_NAMES="DNS:broker.example,IP:10.0.0.5")
#   actors/ACTOR.pem, ACTOR.key      client certificates; the URI subject alternative
#                                    name dsr:actors/ACTOR identifies the organisation
#                                    to a broker started with --client_ca OUT_DIR/ca.pem
# Existing files are kept, so the script can add actors later.
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
OUT=$1
shift
DAYS=${DSR_CERT_DAYS:-365}
mkdir -p "$OUT/actors"
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -f "$OUT/ca.pem" ]; then
  new_key "$OUT/ca.key"
  openssl req -x509 -new -key "$OUT/ca.key" -sha256 -days "$DAYS" -subj "/CN=DSR Broker development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$OUT/ca.pem"
fi

# sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
sign() {
  local base=$1 subject=$2 extensions=$3
  [ -f "$base.pem" ] && return 0
  new_key "$base.key"
  openssl req -new -key "$base.key" -subj "$subject" -out "$base.csr"
  openssl x509 -req -in "$base.csr" -CA "$OUT/ca.pem" -CAkey "$OUT/ca.key" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile <(printf '%s\n' "$extensions") -out "$base.pem" 2>/dev/null
  rm -f "$base.csr"
}

sign "$OUT/server" "/CN=dsr-broker" \
  "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1${DSR_SERVER_NAMES:+,$DSR_SERVER_NAMES}
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"

for actor in "$@"; do
  if ! [[ "$actor" =~ ^[a-z][a-z0-9-]{2,62}$ ]]; then
    echo "mint-certs: '$actor' is not an actor id (lowercase letters, digits, '-')" >&2
    exit 2
  fi
  sign "$OUT/actors/$actor" "/CN=$actor" \
    "subjectAltName=URI:dsr:actors/$actor
extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
done
chmod 644 "$OUT"/*.pem "$OUT"/actors/*.pem 2>/dev/null || true
echo "mint-certs: CA and server certificate in $OUT${*:+; actor certificates in $OUT/actors for: $*}"
