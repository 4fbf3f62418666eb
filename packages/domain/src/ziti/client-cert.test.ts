import { describe, expect, it } from "vitest";
import { clientCertFacts, commonNameOf, parseEdgeCertTime } from "./client-cert";

const TLS = {
  certPresented: "1",
  certVerified: "SUCCESS",
  certRevoked: "0",
  certFingerprintSHA1: "6b9109f323999e52259cda7373ff0b4d26bd232e",
  certFingerprintSHA256: "a".repeat(64),
  certIssuerSKI: "BB:AF:7E:02:3D:FA:A6:F1:3C:84:8E:AD:EE:38:98:EC:D9:32:32:D4",
  certSubjectDNRFC2253: "CN=device\\,1,O=Example",
  certNotBefore: "Dec 22 19:39:00 2018 GMT",
  certNotAfter: "Jan  2 00:00:00 2030 GMT",
};

describe("edge client-certificate facts", () => {
  it("parses the edge's validity times (OpenSSL print format, one- or two-digit days)", () => {
    expect(parseEdgeCertTime("Dec 22 19:39:00 2018 GMT")).toBe(Date.UTC(2018, 11, 22, 19, 39, 0));
    expect(parseEdgeCertTime("Jan  2 00:00:00 2030 GMT")).toBe(Date.UTC(2030, 0, 2));
    expect(parseEdgeCertTime("2030-01-02T00:00:00Z")).toBeUndefined();
    expect(parseEdgeCertTime("Foo  2 00:00:00 2030 GMT")).toBeUndefined();
    expect(parseEdgeCertTime(undefined)).toBeUndefined();
  });

  it("reads the first CN of an RFC 2253 DN, unescaping", () => {
    expect(commonNameOf("CN=device\\,1,O=Example")).toBe("device,1");
    expect(commonNameOf("O=Example,cn=low")).toBe("low");
    expect(commonNameOf("O=Example")).toBe("");
  });

  it("normalises a verified certificate; anything unverified, revoked or incomplete is no certificate", () => {
    expect(clientCertFacts(TLS)).toEqual({
      sha1: TLS.certFingerprintSHA1,
      sha256: TLS.certFingerprintSHA256,
      issuerKeyId: "bbaf7e023dfaa6f13c848eadee3898ecd93232d4",
      commonName: "device,1",
      notBefore: Date.UTC(2018, 11, 22, 19, 39, 0),
      notAfter: Date.UTC(2030, 0, 2),
    });
    expect(clientCertFacts(undefined)).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certVerified: "FAILED:self signed certificate" })).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certPresented: "0" })).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certRevoked: "1" })).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certIssuerSKI: "" })).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certFingerprintSHA1: "zz" })).toBeUndefined();
    expect(clientCertFacts({ ...TLS, certNotAfter: "soon" })).toBeUndefined();
  });
});
