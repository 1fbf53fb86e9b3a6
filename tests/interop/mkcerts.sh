#!/usr/bin/env bash
# mkcerts.sh DIR: build the interop tests' PKI in DIR with the openssl CLI.
# Nothing here is committed: certificates expire, so they are made fresh at
# test time.
#
# DIR/ca.pem                  test CA (ECDSA P-256), trust anchor
# DIR/{ecdsa,rsa,ed25519}.pem leaves for localhost, 127.0.0.1, ::1 (ECDSA
#     + .key                  P-256, RSA-2048, Ed25519), signed by the CA;
#     + -chain.pem            leaf followed by the CA
# DIR/expired.pem/.key        signed by the CA, valid 2020-01-01..2021-01-01
# DIR/notyet.pem/.key         signed by the CA, valid from 2040-01-01
# DIR/unknown.pem/.key        signed by another CA (DIR/other-ca.pem), not trusted
# DIR/selfsigned.pem/.key     self-signed leaf for localhost
# DIR/wronghost.pem/.key      signed by the CA for wrong.example only
# DIR/client-{ecdsa,rsa,ed25519}.pem/.key  client certificates (EKU clientAuth,
#                             CN "ward client KIND"), signed by the CA
# DIR/client-unknown.pem/.key client certificate signed by other-ca
#
# At the end the script checks each certificate with `openssl verify` and
# fails if one is not accepted or rejected as intended.
set -euo pipefail

DIR=${1:?usage: mkcerts.sh DIR}
mkdir -p "$DIR"
cd "$DIR"
rm -rf db
mkdir -p db/new
: >db/index.txt
echo 1000 >db/serial

SAN_LOCAL="DNS:localhost,IP:127.0.0.1,IP:::1"

cat >openssl.cnf <<EOF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ ca ]
default_ca = test_ca
[ test_ca ]
database = db/index.txt
new_certs_dir = db/new
serial = db/serial
default_md = sha256
policy = any_name
unique_subject = no
email_in_dn = no
copy_extensions = none
[ any_name ]
commonName = supplied

[ leaf_local ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $SAN_LOCAL

[ leaf_wrong ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example

[ leaf_client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ self_local ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $SAN_LOCAL
EOF

export OPENSSL_CONF="$DIR/openssl.cnf"

key() { # key FILE KIND
    case $2 in
    ecdsa) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
    esac
}

ca() { # ca NAME CN
    key "$1.key" ecdsa
    openssl req -new -x509 -config openssl.cnf -key "$1.key" -subj "/CN=$2" \
        -extensions ca_ext -days 30 -sha256 -out "$1.pem"
}

# leaf NAME KIND CN EXTENSIONS CA START END
leaf() {
    local name=$1 kind=$2 cn=$3 ext=$4 cacert=$5 start=$6 end=$7
    key "$name.key" "$kind"
    openssl req -new -config openssl.cnf -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
    openssl ca -batch -config openssl.cnf -notext -cert "$cacert.pem" -keyfile "$cacert.key" \
        -in "$name.csr" -out "$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" \
        2>"$name.ca.log" || { cat "$name.ca.log" >&2; exit 1; }
    rm -f "$name.csr"
    cat "$name.pem" "$cacert.pem" >"$name-chain.pem"
}

utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
NOW=$(utc '-1 hour')
LATER=$(utc '+30 days')

ca ca "ward test CA"
ca other-ca "ward other CA"

for kind in ecdsa rsa ed25519; do
    leaf "$kind" "$kind" localhost leaf_local ca "$NOW" "$LATER"
done
leaf expired ecdsa localhost leaf_local ca 20200101000000Z 20210101000000Z
leaf notyet ecdsa localhost leaf_local ca 20400101000000Z 20410101000000Z
leaf unknown ecdsa localhost leaf_local other-ca "$NOW" "$LATER"
leaf wronghost ecdsa wrong.example leaf_wrong ca "$NOW" "$LATER"

# client certificates (mutual TLS): extendedKeyUsage clientAuth
for kind in ecdsa rsa ed25519; do
    leaf "client-$kind" "$kind" "ward client $kind" leaf_client ca "$NOW" "$LATER"
done
leaf client-unknown ecdsa "ward client unknown" leaf_client other-ca "$NOW" "$LATER"

key selfsigned.key ecdsa
openssl req -new -x509 -config openssl.cnf -key selfsigned.key -subj /CN=localhost \
    -extensions self_local -days 30 -sha256 -out selfsigned.pem

# ---- check that each certificate is what it claims to be ----
expect_ok() { # expect_ok CERT [verify options]
    local c=$1
    shift
    openssl verify -CAfile ca.pem "$@" "$c" >/dev/null 2>&1 ||
        { echo "mkcerts: $c should verify" >&2; openssl verify -CAfile ca.pem "$@" "$c" >&2; exit 1; }
}
expect_fail() { # expect_fail CERT TEXT [verify options]
    local c=$1 text=$2 out
    shift 2
    if out=$(openssl verify -CAfile ca.pem "$@" "$c" 2>&1); then
        echo "mkcerts: $c should not verify" >&2
        exit 1
    fi
    grep -qi -- "$text" <<<"$out" || { echo "mkcerts: $c: expected '$text', got: $out" >&2; exit 1; }
}
for kind in ecdsa rsa ed25519; do
    expect_ok "$kind.pem" -verify_hostname localhost
    expect_ok "$kind.pem" -verify_ip 127.0.0.1
    expect_ok "$kind.pem" -verify_ip ::1
done
for kind in ecdsa rsa ed25519; do
    expect_ok "client-$kind.pem" -purpose sslclient
done
expect_fail ecdsa.pem "unsuitable certificate purpose" -purpose sslclient
expect_fail client-unknown.pem "unable to get local issuer"
expect_fail expired.pem "expired"
expect_fail notyet.pem "not yet valid"
expect_fail unknown.pem "unable to get local issuer"
expect_fail selfsigned.pem "self-signed"
expect_ok wronghost.pem
expect_fail wronghost.pem "hostname mismatch" -verify_hostname localhost

echo "mkcerts: test PKI ready in $DIR"
