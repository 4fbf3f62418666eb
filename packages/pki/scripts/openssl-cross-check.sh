#!/usr/bin/env bash
# Hand-run check that OpenSSL accepts what @fleetgate/pki produces inside workerd:
# `openssl verify` of issued certificates against the chain (with and without the CRL),
# `openssl pkcs7 -print_certs` of the EST /cacerts body, `openssl crl -text` of the CRL.
#
#   bash packages/pki/scripts/openssl-cross-check.sh [outdir]
#
# Not part of `pnpm test` (workerd tests cannot run OpenSSL). Needs OpenSSL 3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"

cd "$repo"
npx -y pnpm@10 exec vitest run --config packages/pki/scripts/cross-check/vitest.config.ts >"$out/vitest.log" 2>&1 || {
  cat "$out/vitest.log" >&2
  exit 1
}
grep -o 'PKI-ARTEFACTS [A-Za-z0-9+/=]*' "$out/vitest.log" | head -1 | cut -d' ' -f2 | base64 -d >"$out/artefacts.json"

node -e '
const fs = require("node:fs");
const [file, dir] = process.argv.slice(1);
const a = JSON.parse(fs.readFileSync(file, "utf8"));
fs.writeFileSync(`${dir}/root.pem`, a.root);
fs.writeFileSync(`${dir}/issuing.pem`, a.issuing);
for (const [name, pem] of Object.entries(a.leaves)) fs.writeFileSync(`${dir}/${name}.pem`, pem);
fs.writeFileSync(`${dir}/server.key`, a.serverKey);
fs.writeFileSync(`${dir}/crl.pem`, a.crl);
fs.writeFileSync(`${dir}/root-crl.pem`, a.emptyCrl);
fs.writeFileSync(`${dir}/cacerts.b64`, a.cacerts);
' "$out/artefacts.json" "$out"

cd "$out"
status=0
step() { echo; echo "== $*"; }

step "openssl verify: issuing CA against root (x509_strict)"
openssl verify -x509_strict -CAfile root.pem issuing.pem || status=1

for leaf in client-*.pem server.pem; do
  step "openssl verify: $leaf (x509_strict, purpose per EKU)"
  purpose=sslclient
  [ "$leaf" = server.pem ] && purpose=sslserver
  openssl verify -x509_strict -purpose "$purpose" -CAfile root.pem -untrusted issuing.pem "$leaf" || status=1
done

step "openssl verify with CRL checking (leaf CRL from the issuing CA)"
revoked_leaf=""
for leaf in client-*.pem server.pem; do
  serial="$(openssl x509 -in "$leaf" -noout -serial | cut -d= -f2)"
  if openssl crl -in crl.pem -noout -text | grep -qi "Serial Number: $serial"; then revoked_leaf="$leaf"; fi
done
for leaf in client-*.pem server.pem; do
  if out_text="$(openssl verify -crl_check -CAfile root.pem -untrusted issuing.pem -CRLfile crl.pem "$leaf" 2>&1)"; then
    echo "$leaf: OK (not revoked)"
    [ "$leaf" = "$revoked_leaf" ] && { echo "  expected $leaf to be revoked"; status=1; }
  else
    echo "$out_text" | tail -2
    [ "$leaf" = "$revoked_leaf" ] || status=1
  fi
done

step "openssl crl -text + signature check with the issuing CA"
openssl crl -in crl.pem -noout -text
openssl crl -in crl.pem -noout -CAfile issuing.pem -verify 2>&1 || status=1

step "empty root CRL (no revokedCertificates), and full-chain CRL checking"
openssl crl -in root-crl.pem -noout -text | sed -n '1,12p'
openssl crl -in root-crl.pem -noout -CAfile root.pem -verify 2>&1 || status=1
cat crl.pem root-crl.pem >all-crls.pem
openssl verify -crl_check_all -CAfile root.pem -untrusted issuing.pem -CRLfile all-crls.pem server.pem || status=1

step "EST /cacerts body: no trailing newline, lines <= 64"
tail -c 1 cacerts.b64 | od -An -c
awk '{ if (length($0) > 64) { print "line too long: " NR; bad = 1 } } END { exit bad }' cacerts.b64 || status=1
base64 -d cacerts.b64 >cacerts.p7b
step "openssl pkcs7 -inform DER -print_certs"
openssl pkcs7 -inform DER -in cacerts.p7b -print_certs -noout || status=1
openssl pkcs7 -inform DER -in cacerts.p7b -print -noout | head -20
openssl cms -cmsout -inform DER -in cacerts.p7b -print -noout >/dev/null && echo "openssl cms parses it too" || status=1

step "leaf with requested extensions (client-evil.pem): issued extensions"
openssl x509 -in client-evil.pem -noout -ext basicConstraints,keyUsage,extendedKeyUsage,subjectAltName,crlDistributionPoints
step "server.pem text"
openssl x509 -in server.pem -noout -text | sed -n '1,60p'
step "server key matches certificate"
[ "$(openssl pkey -in server.key -pubout)" = "$(openssl x509 -in server.pem -noout -pubkey)" ] && echo "match" || status=1

echo
if [ $status -eq 0 ]; then echo "CROSS-CHECK PASSED ($out)"; else echo "CROSS-CHECK FAILED ($out)"; fi
exit $status
