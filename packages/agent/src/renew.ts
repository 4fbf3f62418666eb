import { z } from "zod";
import { parseCertificate, renewalTime } from "./cert";
import type { AgentConfig } from "./config";
import { describeError, request } from "./http";
import { createCsr, generateKeyPair, privateKeyToPem, publicKeySpki } from "./keys";
import type { Logger } from "./log";
import { createProof, endpoint } from "./proof";
import type { Credentials, StateDir } from "./state";

const RenewResponse = z.object({ cert: z.string().min(1), ca: z.string() });

/** Outcome of a renewal check. */
export type RenewOutcome = { renewed: false; due: Date } | { renewed: true; notAfter: Date };

/**
 * Renews the host certificate once 2/3 of its lifetime has passed: a NEW key pair, a CSR
 * with the same CN, authenticated by a proof signed with the CURRENT key (aud = the renew
 * URL). Key, certificate and CA are swapped as one unit only after the answer checks out.
 */
export async function renewIfDue(params: {
  config: AgentConfig;
  state: StateDir;
  credentials: Credentials;
  logger: Logger;
  now?: number;
  force?: boolean;
}): Promise<RenewOutcome> {
  const { config, state, credentials, logger } = params;
  const now = params.now ?? Date.now();
  const due = renewalTime(credentials.cert);
  if (!params.force && now < due.getTime()) return { renewed: false, due };

  const commonName = credentials.cert.commonName;
  if (!commonName) throw new Error("the current certificate has no CN to renew");
  const keys = await generateKeyPair();
  const csr = await createCsr(keys, commonName);
  const url = endpoint(config.server, "/agent/v1/renew");
  const proof = await createProof({
    privateKey: credentials.privateKey,
    x5tS256: credentials.cert.x5tS256,
    audience: url,
  });
  logger.info("renewing certificate", { not_after: credentials.cert.notAfter.toISOString() });
  const response = await request(url, { method: "POST", body: { csr }, headers: { authorization: `Bearer ${proof}` } });
  if (response.status !== 200) throw new Error(`renewal refused: ${describeError(response)}`);
  const parsed = RenewResponse.safeParse(response.json);
  if (!parsed.success) throw new Error("the server's renewal answer is not the expected JSON");
  const cert = parseCertificate(parsed.data.cert);
  if (!cert.spki.equals(await publicKeySpki(keys.publicKey))) {
    throw new Error("the server returned a certificate for another key");
  }
  await state.installCredentials({
    keyPem: await privateKeyToPem(keys.privateKey),
    certPem: parsed.data.cert,
    caPem: parsed.data.ca.trim() ? parsed.data.ca : credentials.caPem,
  });
  logger.info("certificate renewed", { not_after: cert.notAfter.toISOString(), fingerprint: cert.fingerprintSha256 });
  return { renewed: true, notAfter: cert.notAfter };
}
