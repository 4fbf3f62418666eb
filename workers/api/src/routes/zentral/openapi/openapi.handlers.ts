import { faceDocument } from "../../../lib/face-document";
import type { Router } from "../../../lib/router";

/** `GET /api/openapi.json`: the document of the face `face()` returns (the whole Zentral face, once mounted). */
export const openapiDocument = (face: () => Router) =>
  faceDocument(
    face,
    {
      title: "Zentral API (Fleetgate)",
      description:
        "Fleetgate's Zentral-compatible face (see docs/zentral-compat.md): task results and the OIDC token exchange, with Django REST framework's shapes.",
    },
    "/api",
  );
