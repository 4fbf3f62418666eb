import "reflect-metadata";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import * as x509 from "@peculiar/x509";

/**
 * An mTLS-terminating loopback proxy in front of `wrangler dev`, standing in for
 * Cloudflare's edge with client certificates (API Shield mTLS): it asks every
 * client for a certificate, verifies it against the CAs it is given (the CAs one
 * would upload to Cloudflare), and forwards the request with what the edge
 * would put in `request.cf.tlsClientAuth`. Miniflare takes a request's `cf`
 * object from the `MF-CF-Blob` header in local dev; on Cloudflare that header
 * is inert and `cf` comes from the edge. A client's own `MF-CF-Blob` is dropped.
 */
export interface MtlsProxy {
  url: string;
  close(): Promise<void>;
}

const hex = (colonHex: string | undefined) => (colonHex ?? "").replace(/:/g, "").toLowerCase();

/** `request.cf.tlsClientAuth` as the edge fills it for the socket's client certificate. */
function tlsClientAuth(socket: TLSSocket): Record<string, string> {
  const peer = socket.getPeerCertificate(true);
  if (!peer?.raw) return { certPresented: "0", certVerified: "NONE", certRevoked: "0" };
  const leaf = new x509.X509Certificate(peer.raw);
  const issuer = peer.issuerCertificate?.raw ? new x509.X509Certificate(peer.issuerCertificate.raw) : undefined;
  const issuerSki =
    issuer?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
    leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId ??
    "";
  return {
    certPresented: "1",
    certVerified: socket.authorized ? "SUCCESS" : `FAILED:${String(socket.authorizationError)}`,
    certRevoked: "0",
    certFingerprintSHA1: hex(peer.fingerprint),
    certFingerprintSHA256: hex(peer.fingerprint256),
    certIssuerSKI: issuerSki.toUpperCase().replace(/(..)(?!$)/g, "$1:"),
    certSubjectDNRFC2253: leaf.subject,
    certIssuerDNRFC2253: leaf.issuer,
    certSerial: peer.serialNumber,
    certNotBefore: peer.valid_from,
    certNotAfter: peer.valid_to,
  };
}

/** Starts the proxy on 127.0.0.1 with the test's `localhost` certificate, trusting `clientCas` (PEM). */
export async function startMtlsProxy(
  upstream: string,
  tls: { certFile: string; keyFile: string },
  clientCas: string[],
): Promise<MtlsProxy> {
  const target = new URL(upstream);
  const server: Server = createServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ca: clientCas,
      requestCert: true,
      // As the edge: an unverified certificate still reaches the Worker, marked FAILED.
      rejectUnauthorized: false,
    },
    (req, res) => {
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
      // Miniflare's own default `cf` carries the client's Accept-Encoding (it decides response compression).
      headers["mf-cf-blob"] = JSON.stringify({
        clientAcceptEncoding: req.headers["accept-encoding"] ?? "",
        tlsClientAuth: tlsClientAuth(req.socket as TLSSocket),
      });
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(out);
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
