import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

const pemKey = async (key: CryptoKey) => {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END PRIVATE KEY-----\n`;
};

/** A third-party CA for the e2e (self-signed, with a subjectKeyIdentifier) and what it issues. */
export async function e2eCa(name: string) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  /** A client certificate and its key (PEM) signed by this CA. */
  const issue = async (cn: string) => {
    const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: Date.now().toString(16),
      subject: `CN=${cn}`,
      issuer: cert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3_600_000),
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { cert: leaf.toString("pem"), key: await pemKey(leafKeys.privateKey) };
  };
  return { pem: cert.toString("pem"), issue };
}

/** A fresh key and a CSR for it (PEM), for `/enroll/ott`. */
export async function e2eCsr(cn: string) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}`, keys, signingAlgorithm: ALG });
  return { csr: csr.toString("pem"), key: await pemKey(keys.privateKey) };
}

/** POST over TLS to the mTLS proxy, presenting `client` (or no certificate), trusting the test CA file. */
export function mtlsPost(
  url: string,
  caFile: string,
  json: unknown,
  client?: { cert: string; key: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(url);
  const payload = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: "POST",
        ca: readFileSync(caFile),
        ...(client ?? {}),
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") });
          } catch (err) {
            reject(new Error(`${res.statusCode}: ${text.slice(0, 200)} (${String(err)})`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
