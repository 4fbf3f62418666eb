import { CapabilitiesEnvelope, ProtocolsEnvelope, VersionEnvelope } from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";

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
        content: { "application/json": { schema: VersionEnvelope } },
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
      content: { "application/json": { schema: CapabilitiesEnvelope } },
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
          schema: ProtocolsEnvelope,
        },
      },
    },
  },
});
