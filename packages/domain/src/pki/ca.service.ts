import { decrypt, encrypt, fromBase64Url, toBase64Url } from "@fleetgate/auth";
import { type CaChain, createCa, exportPrivateKeyPkcs8, importCaPrivateKey, pemToDer } from "@fleetgate/pki";
import { and, eq } from "drizzle-orm";
import { caKeys } from "../schema";
import type { DomainContext } from "../shared/context";

/** CA material supplied as Workers secrets in production (docs/pki.md); otherwise created and wrapped in D1. */
export interface CaSecrets {
  CA_ROOT_CERT_PEM?: string;
  CA_ISSUING_CERT_PEM?: string;
  CA_ISSUING_KEY_PEM?: string;
}

const ROOT_DAYS = 3650;
const ISSUING_DAYS = 730;
const CACHE_MS = 5 * 60_000;
let cached: { chain: CaChain; at: number; source: string } | undefined;

const wrapAad = (id: string) => `ca-key:${id}`;

/** Drops the per-isolate CA cache (after rotation). */
export function forgetCa(): void {
  cached = undefined;
}

/**
 * The CA chain: root (offline in spirit — its key is only used to sign the
 * issuing CA) and the online issuing CA (ECDSA P-256). From secrets when set;
 * in local dev created on first use, private keys stored only wrapped
 * (AES-256-GCM, key derived from MASTER_KEY) — never plain text in D1.
 */
export async function caChain(ctx: DomainContext): Promise<CaChain> {
  const secrets: CaSecrets = ctx.pki.secrets;
  const source = secrets.CA_ISSUING_KEY_PEM ? "secrets" : "d1";
  if (cached && cached.source === source && ctx.now() - cached.at < CACHE_MS) return cached.chain;
  const chain = source === "secrets" ? await fromSecrets(secrets) : await fromD1(ctx);
  cached = { chain, at: ctx.now(), source };
  return chain;
}

async function fromSecrets(s: CaSecrets): Promise<CaChain> {
  if (!s.CA_ROOT_CERT_PEM || !s.CA_ISSUING_CERT_PEM || !s.CA_ISSUING_KEY_PEM) {
    throw new Error("CA secrets: CA_ROOT_CERT_PEM, CA_ISSUING_CERT_PEM and CA_ISSUING_KEY_PEM must be set together");
  }
  const privateKey = await importCaPrivateKey(pemToDer(s.CA_ISSUING_KEY_PEM));
  return { root: { certPem: s.CA_ROOT_CERT_PEM }, issuing: { certPem: s.CA_ISSUING_CERT_PEM, privateKey } };
}

async function loadRow(ctx: DomainContext, kind: "root" | "issuing") {
  return ctx.db
    .select()
    .from(caKeys)
    .where(and(eq(caKeys.kind, kind), eq(caKeys.active, true)))
    .get();
}

/**
 * Unwrapped CA keys, per isolate: the AES-GCM unwrap and PKCS#8 import run once
 * per stored key, not on every issue. Keyed by the wrap key (another MASTER_KEY
 * must unwrap again, and fail) and by the row's ciphertext (a rotated key is new).
 */
const unwrapped = new WeakMap<CryptoKey, Map<string, Promise<CryptoKey>>>();

function unwrap(ctx: DomainContext, row: { id: string; keyEnc: string }): Promise<CryptoKey> {
  const byRow = unwrapped.get(ctx.keys.wrap) ?? new Map<string, Promise<CryptoKey>>();
  unwrapped.set(ctx.keys.wrap, byRow);
  const cacheKey = `${row.id}:${row.keyEnc}`;
  let key = byRow.get(cacheKey);
  if (!key) {
    key = (async () => {
      const b64 = await decrypt(ctx.keys.wrap, row.keyEnc, wrapAad(row.id));
      const der = b64 ? fromBase64Url(b64) : null;
      if (!der) throw new Error("CA key could not be unwrapped (MASTER_KEY changed?)");
      return importCaPrivateKey(der);
    })();
    // A failure is not remembered: the next issue tries again.
    key.catch(() => byRow.delete(cacheKey));
    byRow.set(cacheKey, key);
  }
  return key;
}

async function fromD1(ctx: DomainContext): Promise<CaChain> {
  let root = await loadRow(ctx, "root");
  let issuing = await loadRow(ctx, "issuing");
  if (!root || !issuing) {
    await createChain(ctx);
    root = await loadRow(ctx, "root");
    issuing = await loadRow(ctx, "issuing");
  }
  if (!root || !issuing) throw new Error("CA chain could not be created");
  return {
    root: { certPem: root.certPem },
    issuing: { certPem: issuing.certPem, privateKey: await unwrap(ctx, issuing) },
  };
}

/**
 * First use: root + issuing CA. Fixed row ids with INSERT OR IGNORE make
 * concurrent first uses converge on one chain (the loser's keys are dropped).
 */
async function createChain(ctx: DomainContext): Promise<void> {
  const root = await createCa({ commonName: "Fleetgate Root CA", days: ROOT_DAYS });
  const issuing = await createCa({
    commonName: "Fleetgate Issuing CA 1",
    days: ISSUING_DAYS,
    issuer: { certPem: root.certPem, privateKey: root.privateKey },
  });
  const now = ctx.now();
  const row = async (id: string, kind: "root" | "issuing", ca: typeof root, days: number) => ({
    id,
    kind,
    certPem: ca.certPem,
    keyEnc: await encrypt(ctx.keys.wrap, toBase64Url(await exportPrivateKeyPkcs8(ca.privateKey)), wrapAad(id)),
    notAfter: now + days * 86_400_000,
    active: true,
    createdAt: now,
  });
  await ctx.db.batch([
    ctx.db
      .insert(caKeys)
      .values(await row("root-1", "root", root, ROOT_DAYS))
      .onConflictDoNothing(),
    ctx.db
      .insert(caKeys)
      .values(await row("issuing-1", "issuing", issuing, ISSUING_DAYS))
      .onConflictDoNothing(),
  ]);
}

/** PEM bundle clients should trust: issuing CA then root. */
export async function caBundlePem(ctx: DomainContext): Promise<string> {
  const chain = await caChain(ctx);
  return `${chain.issuing.certPem.trim()}\n${chain.root.certPem.trim()}\n`;
}
