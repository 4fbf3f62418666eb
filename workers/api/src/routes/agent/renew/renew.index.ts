import { caBundlePem, renewWithCsr } from "@fleetgate/domain";
import { z } from "zod";
import { domain } from "../../lib/domain-context";
import { jsonBody } from "../../lib/json-body";
import { createRouter } from "../../lib/router";
import { requireAgent } from "./agent-auth";

const RenewBody = z.object({
  csr: z
    .string()
    .min(1)
    .max(16 * 1024),
});

/**
 * `POST /agent/v1/renew`: a host renews with a CSR for a new key while its
 * certificate is valid (or inside the optional grace window); the proof signed
 * by the current key is the proof of possession.
 */
export const renewRouter = createRouter().post("/renew", async (c) => {
  const { certificate } = await requireAgent(c, "/agent/v1/renew", "renew");
  const body = await jsonBody(c, RenewBody);
  const ctx = await domain(c);
  const res = await renewWithCsr(ctx, certificate, body.csr);
  return c.json({ cert: res.row.certPem, ca: await caBundlePem(ctx) }, 200);
});
