import { randomBytes, webcrypto } from "node:crypto";
import { x509 } from "../x509";

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

/** A throwaway certificate authority for tests: signs CSRs like the control plane's PKI would. */
export class TestCa {
  private constructor(
    private readonly keys: webcrypto.CryptoKeyPair,
    readonly cert: x509.X509Certificate,
  ) {}

  static async create(): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString("hex"),
      name: "CN=Fleetgate Test CA",
      keys,
      signingAlgorithm: SIGN,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    });
    return new TestCa(keys, cert);
  }

  get certPem(): string {
    return this.cert.toString("pem");
  }

  /** Verifies a PEM CSR's proof of possession and returns it, or throws. */
  async parseCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
    const csr = new x509.Pkcs10CertificateRequest(pem);
    if (!(await csr.verify())) throw new Error("CSR signature does not verify");
    return csr;
  }

  /** Issues a client certificate for the CSR's key with `CN=<commonName>`. */
  async issue(
    csr: x509.Pkcs10CertificateRequest,
    commonName: string,
    validity: { notBefore?: Date; notAfter?: Date } = {},
  ): Promise<x509.X509Certificate> {
    return x509.X509CertificateGenerator.create({
      serialNumber: `01${randomBytes(8).toString("hex")}`,
      subject: [{ CN: [commonName] }],
      issuer: this.cert.subjectName,
      notBefore: validity.notBefore ?? new Date(Date.now() - 60_000),
      notAfter: validity.notAfter ?? new Date(Date.now() + 3600_000),
      signingAlgorithm: SIGN,
      publicKey: csr.publicKey,
      signingKey: this.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ],
    });
  }
}
