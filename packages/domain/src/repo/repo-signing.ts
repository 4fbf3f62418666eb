import * as openpgp from "openpgp";

/**
 * OpenPGP signing of the package repository's metadata with openpgp.js (runs in workerd: WebCrypto
 * plus its own Ed25519). The key is an Ed25519 (EdDSA, v4) signing key, which gpgv (apt) and
 * librepo/gpgme (dnf) verify; its armored private key is stored wrapped with MASTER_KEY
 * (repo-signing-key.service.ts), never in the clear.
 */
export interface RepoKeyMaterial {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  /** Upper-case hex fingerprint (40 characters). */
  fingerprint: string;
}

export async function generateRepoKey(userId: { name: string; email: string }, at: Date): Promise<RepoKeyMaterial> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "curve25519Legacy",
    subkeys: [],
    userIDs: [userId],
    date: at,
    keyExpirationTime: 0,
    format: "armored",
  });
  const parsed = await openpgp.readKey({ armoredKey: publicKey });
  return {
    armoredPrivateKey: privateKey,
    armoredPublicKey: publicKey,
    fingerprint: parsed.getFingerprint().toUpperCase(),
  };
}

/**
 * One armored public keyring of several keys (a single armor block of the concatenated keys, as
 * `gpg --export --armor A B` writes): what apt's `signed-by` file, dnf's gpgkey and `gpg --import`
 * read during a signing-key rotation's overlap. One key is returned as it is.
 */
export async function armoredKeyring(armoredKeys: string[]): Promise<string> {
  if (armoredKeys.length === 1 && armoredKeys[0] !== undefined) return armoredKeys[0];
  const parts = await Promise.all(
    armoredKeys.map(async (armoredKey) => (await openpgp.readKey({ armoredKey })).write()),
  );
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return openpgp.armor(openpgp.enums.armor.publicKey, bytes);
}

async function signingKey(armoredPrivateKey: string): Promise<openpgp.PrivateKey> {
  return openpgp.readPrivateKey({ armoredKey: armoredPrivateKey });
}

/**
 * A clear-signed document (apt's InRelease). The signed text is `text` without its final line break
 * (RFC 9580 §7.1: the line break before the signature armor is not part of the text); openpgp.js
 * writes the body with CRLF line ends, which are turned back into LF (the signature covers the
 * CRLF-canonical form either way, and apt's parser expects LF).
 */
export async function clearSign(text: string, armoredPrivateKey: string, at: Date): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: text.replace(/\n+$/, "") });
  const signed = await openpgp.sign({ message, signingKeys: await signingKey(armoredPrivateKey), date: at });
  return signed.replace(/\r\n/g, "\n");
}

/** An armored detached binary signature over the exact bytes (apt's Release.gpg, yum's repomd.xml.asc). */
export async function detachedSign(data: Uint8Array, armoredPrivateKey: string, at: Date): Promise<string> {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.sign({
    message,
    signingKeys: await signingKey(armoredPrivateKey),
    detached: true,
    format: "armored",
    date: at,
  });
}

/** Whether the first signature of a verification result holds (openpgp rejects `verified` when it does not). */
async function firstSignatureValid(result: openpgp.VerifyMessageResult): Promise<boolean> {
  const [first] = result.signatures;
  if (!first) return false;
  try {
    await first.verified;
    return true;
  } catch {
    return false;
  }
}

/** Verifies a detached signature (tests and the self-check after generation). */
export async function verifyDetached(data: Uint8Array, armoredSignature: string, armoredPublicKey: string) {
  const result = await openpgp.verify({
    message: await openpgp.createMessage({ binary: data }),
    signature: await openpgp.readSignature({ armoredSignature }),
    verificationKeys: await openpgp.readKey({ armoredKey: armoredPublicKey }),
  });
  return firstSignatureValid(result);
}

/** The fingerprints (upper-case hex) of every key in an armored keyring (tests, operators' checks). */
export async function keyringFingerprints(armoredKeys: string): Promise<string[]> {
  return (await openpgp.readKeys({ armoredKeys })).map((k) => k.getFingerprint().toUpperCase());
}

/** Whether a clear-signed document (InRelease) carries a valid signature by the key with `fingerprint` in `armoredKeys`. */
export async function verifyClearSigned(cleartext: string, armoredKeys: string, fingerprint: string): Promise<boolean> {
  const keys = (await openpgp.readKeys({ armoredKeys })).filter(
    (k) => k.getFingerprint().toUpperCase() === fingerprint,
  );
  if (keys.length === 0) return false;
  const result = await openpgp.verify({
    message: await openpgp.readCleartextMessage({ cleartextMessage: cleartext }),
    verificationKeys: keys,
  });
  return firstSignatureValid(result);
}

/** Whether a detached signature over `data` (Release.gpg, repomd.xml.asc) is valid by the key with `fingerprint` in `armoredKeys`. */
export async function verifyDetachedBy(
  data: Uint8Array,
  armoredSignature: string,
  armoredKeys: string,
  fingerprint: string,
): Promise<boolean> {
  const key = (await openpgp.readKeys({ armoredKeys })).find((k) => k.getFingerprint().toUpperCase() === fingerprint);
  return key ? verifyDetached(data, armoredSignature, key.armor()) : false;
}
