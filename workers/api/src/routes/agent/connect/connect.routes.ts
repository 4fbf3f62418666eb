import { createRoute } from "@hono/zod-openapi";

export const connect = createRoute({
  method: "get",
  path: "/connect",
  tags: ["Agent"],
  summary: "The agent's WebSocket (docs/agent-protocol.md §2), with a certificate-bound proof",
  security: [{ agentProof: [] }],
  responses: {
    101: { description: "Switching to the WebSocket; frames as in @fleetgate/contract/agent" },
    401: { description: "Invalid proof" },
    426: { description: "Not a WebSocket upgrade" },
  },
});
