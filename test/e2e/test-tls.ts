import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import * as x509 from "@peculiar/x509";

/**
 * A throw-away CA and a `localhost` server certificate signed by it, for
 * test servers that speak TLS (the SMTP test's STARTTLS and implicit TLS).
 * The global setup writes them to its temporary directory and points
 * `NODE_EXTRA_CA_CERTS` at the CA before it starts `wrangler dev`: miniflare
 * hands that file to workerd as trusted certificates, so the Worker's TLS
 * verification stays on and trusts exactly this test CA (besides the system
 * store). Nothing in production trusts it.
 */
export interface TestTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

const pemKey = async (key: CryptoKey) => {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END PRIVATE KEY-----\n`;
};

export async function writeTestTls(dir: string): Promise<TestTls> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 24 * 3600_000);
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Fleetgate e2e test CA",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=localhost",
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const out: TestTls = {
    caFile: path.join(dir, "test-ca.pem"),
    certFile: path.join(dir, "localhost-cert.pem"),
    keyFile: path.join(dir, "localhost-key.pem"),
  };
  writeFileSync(out.caFile, ca.toString("pem"));
  writeFileSync(out.certFile, `${leaf.toString("pem")}\n${ca.toString("pem")}\n`);
  writeFileSync(out.keyFile, await pemKey(leafKeys.privateKey));
  return out;
}
