import type { TokenPair } from "@fleetgate/domain";

/**
 * The token pair of a new or refreshed session as the native face answers it (LoginResponse);
 * SSO sign-ins (handoff, device authorization) also name the user's auth provider (SsoHandoffResponse).
 */
export function sessionBody(pair: TokenPair, mfaEnabled: boolean) {
  const u = pair.identity;
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: "Bearer" as const,
    expires_in: pair.expiresIn,
    user: { id: u.id, username: u.name, display_name: u.displayName, role: u.role, mfa_enabled: mfaEnabled },
  };
}

/** {@link sessionBody} with `auth_provider`, for sessions started through SSO. */
export function ssoSessionBody(pair: TokenPair, mfaEnabled: boolean) {
  const u = pair.identity;
  return {
    ...sessionBody(pair, mfaEnabled),
    user: {
      id: u.id,
      username: u.name,
      display_name: u.displayName,
      role: u.role,
      auth_provider: u.authProvider,
      mfa_enabled: mfaEnabled,
    },
  };
}
