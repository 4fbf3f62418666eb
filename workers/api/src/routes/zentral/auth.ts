import { parseZtlToken } from "@fleetgate/auth";
import { resolveAccessToken, resolveApiToken } from "@fleetgate/domain";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../context";
import { domain, setActor } from "../../lib/domain-context";
import { clientIpAllowed } from "../../lib/ip-allowlist";
import { DrfError, notAuthenticated } from "./errors";

const failed = (detail: string) => new DrfError(401, { detail }, { "WWW-Authenticate": "Token" });

/**
 * Zentral's `APITokenAuthentication` (zentral.md §3): `Authorization: Token <key>`
 * (keyword case-insensitive, DRF TokenAuthentication), plus the native
 * `Bearer <access JWT>`. Every refusal is a 401 with `WWW-Authenticate: Token`;
 * another scheme counts as no credentials at all, as in DRF.
 */
export const zentralAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await clientIpAllowed(c)))
    throw new DrfError(403, { detail: "You do not have permission to perform this action." });
  // DRF: get_authorization_header(request).split() — runs of whitespace separate the parts.
  const parts = (c.req.header("authorization") ?? "").split(/[ \t\r\n\f\v]+/).filter((p) => p !== "");
  const keyword = parts[0]?.toLowerCase();
  if (keyword !== "token" && keyword !== "bearer") throw notAuthenticated();
  if (parts.length === 1) throw failed("Invalid token header. No credentials provided.");
  if (parts.length > 2) throw failed("Invalid token header. Token string should not contain spaces.");
  const credential = parts[1] ?? "";
  const ctx = await domain(c);
  let res: Awaited<ReturnType<typeof resolveApiToken>>;
  if (keyword === "token") {
    // Zentral checks the ztl checksum only for keys with `_` (legacy keys have none).
    if (credential.includes("_") && !parseZtlToken(credential).ok) throw failed("Invalid ztl token.");
    res = await resolveApiToken(ctx, credential);
  } else {
    res = await resolveAccessToken(ctx, credential);
  }
  if (!res.ok) throw failed(res.reason === "disabled" ? "User inactive or deleted." : "Invalid token.");
  if (res.principal.kind === "host") throw failed("Invalid token.");
  c.set("principal", res.principal);
  c.set("identity", res.identity);
  setActor(c, ctx);
  await next();
});
