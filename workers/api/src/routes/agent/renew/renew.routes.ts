import { createRoute, z } from "@hono/zod-openapi";

export const RenewBody = z.object({
  csr: z
    .string()
    .min(1)
    .max(16 * 1024),
});

export const renew = createRoute({
  method: "post",
  path: "/renew",
  tags: ["Agent"],
  summary: "Renew the host's certificate with a CSR for a new key, proven by the current key",
  security: [{ agentProof: [] }],
  request: { body: { required: true, content: { "application/json": { schema: RenewBody } } } },
  responses: {
    200: {
      description: "The new certificate and the CA bundle (PEM)",
      content: { "application/json": { schema: z.object({ cert: z.string(), ca: z.string() }) } },
    },
    400: { description: "Malformed body or CSR" },
    401: { description: "Invalid proof" },
  },
});
