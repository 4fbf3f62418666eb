// Produces a CA chain, leaf certificates, a CRL and an EST /cacerts body with
// @fleetgate/pki inside workerd, and prints them as one JSON line for OpenSSL to check.
import { it } from "vitest";
import * as fx from "../../src/fixtures";
import {
  buildCrl,
  certificateInfo,
  checkCsr,
  createCa,
  estCacertsBody,
  generateKeyAndCertificate,
  issueCertificate,
} from "../../src/index";

it("emits artefacts", async () => {
  const root = await createCa({ commonName: "Fleetgate Cross-Check Root CA", days: 3650 });
  const issuing = await createCa({ commonName: "Fleetgate Cross-Check Issuing CA", days: 365, issuer: root });
  const issuer = { certPem: issuing.certPem, privateKey: issuing.privateKey };
  const common = {
    issuer,
    identityId: "id_cross_check",
    trustDomain: "fleetgate.local",
    lifetimeSeconds: 86_400,
    crlUrl: "http://127.0.0.1:8787/pki/crl",
  };

  const leaves: Record<string, string> = {};
  for (const [name, pem] of Object.entries({
    p256: fx.EC_P256_CSR,
    p384: fx.EC_P384_CSR,
    rsa2048: fx.RSA_2048_CSR,
    evil: fx.WITH_EXTENSIONS_CSR,
  })) {
    const checked = await checkCsr(pem, { allowedCommonNames: [fx.FIXTURE_CN] });
    if (!checked.ok) throw new Error(`${name}: ${checked.error}`);
    const issued = await issueCertificate({
      ...common,
      publicKey: checked.csr.publicKey,
      commonName: fx.FIXTURE_CN,
      kind: "client",
    });
    leaves[`client-${name}`] = issued.certPem;
  }
  const server = await generateKeyAndCertificate({
    ...common,
    commonName: "api.fleetgate.test",
    kind: "server",
    dnsNames: ["api.fleetgate.test", "localhost"],
  });
  leaves.server = server.certPem;

  const revokedSerial = (await certificateInfo(leaves["client-p256"] ?? "")).serialHex;
  const now = Date.now();
  const crl = await buildCrl({
    issuer,
    revoked: [
      { serialHex: revokedSerial, revokedAt: new Date(now - 60_000), reason: "keyCompromise" },
      { serialHex: "4000000000000000000000000000abcd", revokedAt: new Date(now - 120_000), reason: "superseded" },
      { serialHex: "4000000000000000000000000000abce", revokedAt: new Date(now - 120_000), reason: "unspecified" },
    ],
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 6 * 3600_000),
    crlNumber: 3,
  });

  const emptyCrl = await buildCrl({
    issuer: { certPem: root.certPem, privateKey: root.privateKey },
    revoked: [],
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 30 * 86_400_000),
    crlNumber: 1,
  });

  const artefacts = {
    emptyCrl,
    root: root.certPem,
    issuing: issuing.certPem,
    leaves,
    serverKey: server.keyPem,
    crl,
    cacerts: estCacertsBody([issuing.certPem, root.certPem]),
  };
  console.log(`PKI-ARTEFACTS ${btoa(JSON.stringify(artefacts))}`);
});
