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

/** Verifies a detached signature (tests and the self-check after generation). */
export async function verifyDetached(data: Uint8Array, armoredSignature: string, armoredPublicKey: string) {
  const result = await openpgp.verify({
    message: await openpgp.createMessage({ binary: data }),
    signature: await openpgp.readSignature({ armoredSignature }),
    verificationKeys: await openpgp.readKey({ armoredKey: armoredPublicKey }),
  });
  const [first] = result.signatures;
  if (!first) return false;
  try {
    await first.verified;
    return true;
  } catch {
    return false;
  }
}
