import { createRoute, z } from "@hono/zod-openapi";
import { envelopeOf } from "../envelope";

const ApiVersion = z.object({ path: z.string(), apiBaseUrls: z.array(z.string()) });
export const Version = z
  .object({
    version: z.string(),
    revision: z.string(),
    buildDate: z.string(),
    runtimeVersion: z.string(),
    apiVersions: z.record(z.string(), z.record(z.string(), ApiVersion)),
    capabilities: z.array(z.string()),
  })
  .openapi("Version");

const spec = (path: string, operationId: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags: ["Informational"],
    summary: "Returns version information",
    security: [],
    responses: {
      200: {
        description: "Version information",
        content: { "application/json": { schema: envelopeOf(Version, "VersionEnvelope") } },
      },
    },
  });

export const version = spec("/version", "listVersion");
export const root = spec("/", "listRoot");

export const enumeratedCapabilities = createRoute({
  method: "get",
  path: "/enumerated-capabilities",
  operationId: "listEnumeratedCapabilities",
  tags: ["Informational"],
  summary: "Capabilities this controller may advertise",
  security: [],
  responses: {
    200: {
      description: "Capabilities",
      content: { "application/json": { schema: envelopeOf(z.array(z.string()), "CapabilitiesEnvelope") } },
    },
  },
});

export const protocols = createRoute({
  method: "get",
  path: "/protocols",
  operationId: "listProtocols",
  tags: ["Informational"],
  summary: "Protocols the API is served on",
  security: [],
  responses: {
    200: {
      description: "Protocols",
      content: {
        "application/json": {
          schema: envelopeOf(z.record(z.string(), z.object({ address: z.string() })), "ProtocolsEnvelope"),
        },
      },
    },
  },
});
