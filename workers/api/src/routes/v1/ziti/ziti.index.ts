import type { ZitiInput, ZitiKind } from "@fleetgate/contract";
import { createRouter, type Router } from "../../../lib/router";
import * as h from "./ziti.handlers";
import { kindRoutes, setAuthPolicy, setRoleAttributes } from "./ziti.routes";

const KINDS: ZitiKind[] = [
  "services",
  "config-types",
  "configs",
  "service-policies",
  "edge-routers",
  "edge-router-policies",
  "service-edge-router-policies",
  "posture-checks",
  "external-jwt-signers",
  "auth-policies",
];

function mountKind<K extends ZitiKind>(router: Router, kind: K) {
  const r = kindRoutes(kind);
  router
    .openapi(r.list, (c) => h.listKind(c, kind))
    .openapi(r.create, (c) => h.createKind(c, kind, c.req.valid("json") as ZitiInput<K>))
    .openapi(r.get, (c) => h.getKind(c, kind, c.req.valid("param").id))
    .openapi(r.update, (c) => h.updateKind(c, kind, c.req.valid("param").id, c.req.valid("json") as ZitiInput<K>))
    .openapi(r.remove, (c) => h.removeKind(c, kind, c.req.valid("param").id));
}

/** Native management of the Ziti control-plane model (admin), mounted at /api/v1/ziti. */
export const zitiManagementRouter = createRouter();
for (const kind of KINDS) mountKind(zitiManagementRouter, kind);
zitiManagementRouter.openapi(setRoleAttributes, (c) =>
  h.roleAttributes(c, c.req.valid("param").id, c.req.valid("json").roleAttributes),
);
zitiManagementRouter.openapi(setAuthPolicy, (c) =>
  h.authPolicy(c, c.req.valid("param").id, c.req.valid("json").authPolicyId),
);
