#!/usr/bin/env bash
# Made once, checked in: the fixed certificates of the trace golden tests
# (tests/trace/golden.c) and the trace interop tests. The tests use the
# files in this folder, never this script: new keys would change every
# golden file. Valid 2025-01-01 to 2045-01-01 (the golden tests' clock
# stands at 2030-01-01).
#   ca.pem / ca.key           "Ward Trace Test CA", ECDSA P-256
#   other-ca.pem              a CA nobody's leaf comes from (untrusted_ca)
#   ed25519.pem / .key        leaf, Ed25519 (TLS 1.3: a fixed-length CertificateVerify)
#   rsa.pem / .key            leaf, RSA-2048 (TLS 1.2 RSA key transport, ECDHE-RSA)
# Both leaves: CN trace.ward.test, SAN DNS:trace.ward.test, DNS:localhost, IP:127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
# openssl x509 -req cannot set dates before 3.4: openssl ca can
# (-startdate/-enddate), with a throwaway database.
sign() { # csr out signer-cert signer-key serial extensions [-selfsign]
    local csr=$1 out=$2 cert=$3 key=$4 serial=$5 ext=$6 db
    shift 6
    db=$(mktemp -d)
    : >"$db/index.txt"
    printf '%s\n' "$serial" >"$db/serial"
    cat >"$db/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
[x]
$ext
CNF
    openssl ca -batch -config "$db/ca.cnf" -notext -extensions x -in "$csr" -out "$out" \
        -keyfile "$key" -startdate 20250101000000Z -enddate 20450101000000Z \
        -preserveDN ${cert:+-cert "$cert"} "$@" 2>"$db/log" || { cat "$db/log" >&2; exit 1; }
    rm -rf "$db" "$csr"
}
ca() { # name subject keyargs...
    local name=$1 subj=$2
    shift 2
    openssl genpkey "$@" -out "$name.key"
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    sign "$name.csr" "$name.pem" "" "$name.key" 01 \
        "$(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash')" \
        -selfsign
}
leaf() { # name serial keyusage keyargs...
    local name=$1 serial=$2 usage=$3
    shift 3
    openssl genpkey "$@" -out "$name.key"
    openssl req -new -key "$name.key" -subj "/O=ward/CN=trace.ward.test" -out "$name.csr"
    sign "$name.csr" "$name.pem" ca.pem ca.key "$serial" \
        "$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:trace.ward.test,DNS:localhost,IP:127.0.0.1\nauthorityKeyIdentifier=keyid' "$usage")"
}
ca ca "/O=ward/CN=Ward Trace Test CA" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
ca other-ca "/O=elsewhere/CN=Some Other CA" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
rm -f other-ca.key
leaf ed25519 02 digitalSignature -algorithm ED25519
leaf rsa 03 digitalSignature,keyEncipherment -algorithm RSA -pkeyopt rsa_keygen_bits:2048
