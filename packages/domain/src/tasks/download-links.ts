import { hmacSign, hmacVerify } from "@fleetgate/auth";
import type { DomainContext } from "../shared/context";
import { isUuid } from "../shared/ids";

/** Default lifetime of a signed download link; the issue caps it at 5 minutes. */
export const DOWNLOAD_LINK_TTL_SECONDS = 300;
/** R2 keys a link may name: `<prefix>/<task id>/<file name>`, conservative characters only. */
const KEY = /^[a-z][a-z0-9-]{0,31}\/[0-9a-f-]{36}\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;

/**
 * The signed string. Binding the method, the object key, the expiry and the
 * task id means a link cannot be replayed for another object, another task,
 * another verb or a later time (HMAC-SHA256, RFC 2104; the key is HKDF-derived
 * from MASTER_KEY for this purpose only).
 */
const canonical = (method: string, key: string, exp: number, taskId: string) =>
  `fleetgate-download-v1\n${method}\n${key}\n${exp}\n${taskId}`;

/** A path `/files/<key>?task=…&exp=…&sig=…` valid for `ttlSeconds` (≤ 300) from now. */
export async function signDownloadLink(
  ctx: DomainContext,
  input: { taskId: string; key: string; ttlSeconds?: number },
): Promise<{ path: string; expiresAt: number }> {
  if (!KEY.test(input.key)) throw new Error(`signDownloadLink: refusing to sign key ${JSON.stringify(input.key)}`);
  const ttl = Math.min(
    Math.max(1, Math.floor(input.ttlSeconds ?? DOWNLOAD_LINK_TTL_SECONDS)),
    DOWNLOAD_LINK_TTL_SECONDS,
  );
  const exp = Math.floor(ctx.now() / 1000) + ttl;
  const sig = await hmacSign(ctx.keys.urlSign, canonical("GET", input.key, exp, input.taskId));
  const q = new URLSearchParams({ task: input.taskId, exp: String(exp), sig });
  return { path: `/files/${input.key}?${q}`, expiresAt: exp * 1000 };
}

/**
 * Checks a download link: well-formed, signature valid for exactly this method,
 * key, expiry and task (constant-time compare), and not expired. Says only
 * ok or not: the caller answers 403 either way.
 */
export async function verifyDownloadLink(
  ctx: DomainContext,
  input: { method: string; key: string; taskId: string | undefined; exp: string | undefined; sig: string | undefined },
): Promise<boolean> {
  const { key, taskId, exp, sig } = input;
  if (!taskId || !exp || !sig || !isUuid(taskId) || !KEY.test(key) || !/^[1-9][0-9]{0,11}$/.test(exp) || !SIG.test(sig))
    return false;
  const valid = await hmacVerify(ctx.keys.urlSign, canonical(input.method, key, Number(exp), taskId), sig);
  return valid && Number(exp) * 1000 > ctx.now();
}
