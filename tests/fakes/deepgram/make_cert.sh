#!/usr/bin/env bash
# A throwaway certificate for 127.0.0.1 in DIR (key.pem, cert.pem): the fake
# serves only wss://, as Deepgram does.
# Usage: make_cert.sh DIR
set -euo pipefail
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
