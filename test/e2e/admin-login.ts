import { E2E_ADMIN } from "./global-setup";

/**
 * The e2e admin's access token. The e2e files sign in as this one admin in parallel, so the shared
 * sign-in budget (per user and per address) can answer 429: then this waits as `Retry-After` says
 * and tries again, twice at most, as a person would.
 */
export async function adminAccess(base: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(E2E_ADMIN),
    });
    if (res.status === 429 && attempt < 2) {
      const seconds = Math.min(Math.max(Number(res.headers.get("retry-after")) || 5, 1), 60);
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
}
