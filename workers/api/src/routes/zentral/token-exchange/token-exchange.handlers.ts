import { drfMessages, pythonTypeName, ZentralTokenExchangeRequest } from "@fleetgate/contract";
import { exchangeOidcToken, findTokenIssuer, type JwtRefusal } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { drfData, naiveUtc } from "../drf";
import { DrfError } from "../errors";
import type { exchangeToken } from "./token-exchange.routes";

/** Zentral's exact messages (zentral.md §4, `server/accounts/serializers.py`). */
const JWT_MESSAGES: Record<JwtRefusal, string> = {
  invalid_token: "Invalid token",
  invalid_claims: "Invalid token claims",
  condition_error: "Unexpected error during CEL condition evaluation",
  condition_not_boolean: "CEL condition evaluation didn't produce a boolean",
  no_condition: "The issuer has no CEL condition",
};

const DEFAULT_RATE_LIMIT = 60;

/**
 * `POST /api/accounts/token_issuers/oidc/<uuid>/auth/` — no authentication
 * (an Authorization header is ignored). Fields are validated independently and
 * their errors merged, in declaration order (jwt, name, validity), as DRF does.
 */
export const tokenExchange: RouteHandler<typeof exchangeToken, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const issuer = await findTokenIssuer(ctx, c.req.param("id"));
  if (!issuer) throw new DrfError(404, { detail: "No OIDCAPITokenIssuer matches the given query." });

  const data = await drfData(c);
  if (data === null) throw new DrfError(400, { non_field_errors: ["No data provided"] });
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new DrfError(400, {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`],
    });
  }
  const fields = data as Record<string, unknown>;
  // Each field on its own (DRF reports every refused field, and the JWT is checked even when another is refused).
  const shape = ZentralTokenExchangeRequest.shape;
  const jwt = shape.jwt.safeParse(fields.jwt);
  const name = shape.name.safeParse(fields.name);
  const validity = shape.validity.safeParse(fields.validity);
  const errors: Record<string, string[]> = {};
  if (!jwt.success) errors.jwt = drfMessages(jwt.error);
  if (!name.success) errors.name = drfMessages(name.error);
  if (!validity.success) errors.validity = drfMessages(validity.error);

  const limit = Number(c.env.TOKEN_EXCHANGE_RATE_LIMIT);
  const out = await exchangeOidcToken(ctx, issuer, {
    jwt: jwt.success ? jwt.data : undefined,
    name: (name.success ? name.data : undefined) ?? "",
    validity: validity.success ? validity.data : undefined,
    blocked: Object.keys(errors).length > 0,
    rateLimitPerMinute: Number.isFinite(limit) && limit > 0 ? limit : DEFAULT_RATE_LIMIT,
  });
  if (!out.ok) {
    const merged: Record<string, string[]> = {};
    const jwtError = errors.jwt ?? (out.errors.jwt ? [JWT_MESSAGES[out.errors.jwt]] : undefined);
    if (jwtError) merged.jwt = jwtError;
    if (errors.name) merged.name = errors.name;
    const validityError =
      errors.validity ?? (out.errors.validity ? [`Must be ≤ ${out.errors.validity.max}s`] : undefined);
    if (validityError) merged.validity = validityError;
    throw new DrfError(400, merged);
  }
  return c.json(
    {
      id: out.token.id,
      expiry: naiveUtc(out.token.expiresAt ?? 0),
      name: out.token.name,
      secret: out.secret,
      user: { id: out.user.number, username: out.user.username, email: out.user.email, is_service_account: true },
    },
    200,
  );
};
