import { faceDocument } from "../../../lib/face-document";
import type { Router } from "../../../lib/router";

/** `GET /agent/v1/openapi.json`: the document of the agent endpoints `face()` returns (once mounted). */
export const openapiDocument = (face: () => Router) =>
  faceDocument(
    face,
    {
      title: "Fleetgate agent API",
      description:
        "The endpoints the Fleetgate agent calls (see docs/agent-protocol.md and docs/agent-distribution.md): certificate renewal and the command channel, authenticated by certificate-bound proofs; the public downloads, installer and signed package repository. Errors have the native shape.",
    },
    "/agent/v1",
  );
