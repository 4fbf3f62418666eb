import { iso, isoOrNull } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain, publicBase } from "../../../lib/domain-context";
import { installCommand } from "../../../lib/install-command";
import type * as r from "./enrollments.routes";

const enrollmentBody = (e: svc.EnrollmentView) => ({
  id: e.id,
  identity_id: e.identityId,
  name: e.identityName,
  kind: e.kind,
  method: e.method,
  jwt: e.jwt,
  expires_at: iso(e.expiresAt),
  used_at: isoOrNull(e.usedAt),
});

export const createEnrollment: RouteHandler<typeof r.createEnrollment, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const e = await svc.createEnrollment(await domain(c), {
    name: b.name,
    kind: b.kind,
    method: b.method,
    expiresIn: b.expires_in,
    ...(b.ca_id !== undefined ? { caId: b.ca_id } : {}),
  });
  const hostOtt = b.kind === "host" && e.method === "ott";
  return c.json(
    {
      id: e.id,
      identity_id: e.identityId,
      method: e.method,
      jwt: e.jwt,
      expires_at: iso(e.expiresAt),
      ...(hostOtt && e.jwt ? { install_command: installCommand(publicBase(c), e.jwt) } : {}),
    },
    201,
  );
};

export const listEnrollments: RouteHandler<typeof r.listEnrollments, AppEnv> = async (c) =>
  c.json((await svc.listEnrollments(await domain(c))).map(enrollmentBody), 200);

export const deleteEnrollment: RouteHandler<typeof r.deleteEnrollment, AppEnv> = async (c) => {
  await svc.deleteEnrollment(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Enrollment deleted" }, 200);
};

export const selfEnroll: RouteHandler<typeof r.selfEnroll, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const token = await svc.submitEnrollmentRequest(await domain(c), {
    machineId: b.machine_id,
    fqdn: b.fqdn,
    ipAddress: b.ip_address,
    osDetails: b.os_details,
    hostname: b.hostname,
    csr: b.csr,
  });
  return c.json({ polling_token: token }, 202);
};

export const enrollStatus: RouteHandler<typeof r.enrollStatus, AppEnv> = async (c) => {
  const res = await svc.pollEnrollment(await domain(c), c.req.valid("param").token, publicBase(c));
  if (res.status !== "approved") return c.json({ status: res.status }, 200);
  return c.json(
    { status: "approved" as const, ...res.bundle, ...(res.repoConfig ? { repo_config: res.repoConfig } : {}) },
    200,
  );
};

export const listPending: RouteHandler<typeof r.listPending, AppEnv> = async (c) => {
  const rows = await svc.listPendingRequests(await domain(c), c.req.valid("query"));
  return c.json(
    rows.map((e) => ({
      id: e.id,
      machine_id: e.machineId,
      fqdn: e.fqdn,
      ip_address: e.ipAddress,
      os_details: e.osDetails,
      polling_token: e.pollingTokenHash,
      hostname: e.hostname,
      has_csr: e.csrPem !== null,
      created_at: iso(e.createdAt),
      expires_at: iso(e.expiresAt),
    })),
    200,
  );
};

export const approve: RouteHandler<typeof r.approve, AppEnv> = async (c) => {
  await svc.approveEnrollmentRequest(await domain(c), c.req.valid("param").id);
  return c.body(null, 200);
};

export const deny: RouteHandler<typeof r.deny, AppEnv> = async (c) => {
  await svc.denyEnrollmentRequest(await domain(c), c.req.valid("param").id);
  return c.body(null, 200);
};
