import { caBundlePem, renewWithCsr } from "@fleetgate/domain";
import type { Handler } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { jsonBody } from "../../../lib/json-body";
import { requireAgent } from "../agent-auth";
import { RenewBody } from "./renew.routes";

/**
 * `POST /agent/v1/renew`: a host renews with a CSR for a new key while its
 * certificate is valid (or inside the optional grace window); the proof signed
 * by the current key is the proof of possession. The proof is checked before
 * the body is read.
 */
export const renewHandler: Handler<AppEnv> = async (c) => {
  const { certificate } = await requireAgent(c, "/agent/v1/renew", "renew");
  const body = await jsonBody(c, RenewBody);
  const ctx = await domain(c);
  const res = await renewWithCsr(ctx, certificate, body.csr);
  return c.json({ cert: res.row.certPem, ca: await caBundlePem(ctx) }, 200);
};
