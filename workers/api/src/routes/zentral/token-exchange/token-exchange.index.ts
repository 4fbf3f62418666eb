import { exchangeOidcToken, findTokenIssuer, type JwtRefusal } from "@fleetgate/domain";
import { Hono } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { charField, drfData, integerField, naiveUtc, pythonTypeName, UUID_PARAM } from "../drf";
import { DrfError } from "../errors";

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
export const tokenExchangeRouter = new Hono<AppEnv>({ strict: true }).post(
  `/accounts/token_issuers/oidc/:id{${UUID_PARAM}}/auth/`,
  async (c) => {
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
    const jwt = charField(fields, "jwt");
    const name = charField(fields, "name");
    const validity = integerField(fields, "validity", 30, 604_800);
    const errors: Record<string, string[]> = {};
    if ("missing" in jwt) errors.jwt = ["This field is required."];
    else if ("error" in jwt) errors.jwt = [jwt.error];
    if ("error" in name) errors.name = [name.error];
    if ("error" in validity) errors.validity = [validity.error];

    const limit = Number(c.env.TOKEN_EXCHANGE_RATE_LIMIT);
    const out = await exchangeOidcToken(ctx, issuer, {
      jwt: "value" in jwt ? jwt.value : undefined,
      name: "value" in name ? name.value : "",
      validity: "value" in validity ? validity.value : undefined,
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
  },
);
