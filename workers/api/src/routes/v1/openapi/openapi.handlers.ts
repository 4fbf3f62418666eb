import { Scalar } from "@scalar/hono-api-reference";

/** `GET /api/v1/docs`: the browsable reference page over /api/v1/openapi.json. */
export const referencePageHandler = Scalar({ url: "/api/v1/openapi.json", pageTitle: "Fleetgate API reference" });
