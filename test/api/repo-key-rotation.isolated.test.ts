// Signing-key rotation of the agent package repository (isolated: it creates and retires the deployment's keys).
import { keyringFingerprints as fingerprints, verifyClearSigned, verifyDetachedBy } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/** Whether the metadata is signed by the key `fp` of the keyring `keys` (clear-signed or detached). */
async function verifiesWith(keys: string, fp: string, signed: { clear: string } | { data: Uint8Array; sig: string }) {
  if ("clear" in signed) return verifyClearSigned(signed.clear, keys, fp);
  return verifyDetachedBy(signed.data, signed.sig, keys, fp);
}

const text = async (path: string) => {
  const res = await call(path);
  expect(res.status, path).toBe(200);
  return res.text();
};

describe("repository signing-key rotation", () => {
  it("refuses before a key exists (409) and for a non-admin (403)", async () => {
    const admin = await adminLogin();
    const early = await call("/api/v1/admin/repo/signing-key/rotate", { method: "POST", headers: bearer(admin) });
    expect(early.status).toBe(409);
    expect((await nativeError(early)).message).toBe("The repository has no signing key to rotate yet");
    const op = await userWithRole("operator");
    for (const path of ["/api/v1/admin/repo/signing-key/rotate", "/api/v1/admin/repo/signing-key/retire-previous"])
      expect((await call(path, { method: "POST", headers: bearer(op.session) })).status, path).toBe(403);
  });

  it("new key signs at once, both keys are published during the overlap, then the old one is retired", async () => {
    const admin = await adminLogin();
    const first = await call("/api/v1/admin/repo/regenerate-metadata", { method: "POST", headers: bearer(admin) });
    expect(first.status).toBe(200);
    const oldFp = ((await first.json()) as { fingerprint: string }).fingerprint;
    const oldKey = (await (await call("/api/v1/pki/repo-config?distro_id=debian")).json()) as {
      gpg_public_key: string;
    };
    expect(await fingerprints(oldKey.gpg_public_key)).toEqual([oldFp]);
    const retireEarly = await call("/api/v1/admin/repo/signing-key/retire-previous", {
      method: "POST",
      headers: bearer(admin),
    });
    expect(retireEarly.status).toBe(409);

    const rotated = await call("/api/v1/admin/repo/signing-key/rotate", { method: "POST", headers: bearer(admin) });
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { fingerprint: string; published_fingerprints: string[]; status: string };
    const newFp = body.fingerprint;
    expect(newFp).not.toBe(oldFp);
    expect(body.published_fingerprints).toEqual([oldFp, newFp]);

    // Overlap: repo-config (both distributions' answers) and key.asc carry both keys, in one armored keyring.
    for (const distro of ["debian", "rocky"]) {
      const config = (await (await call(`/api/v1/pki/repo-config?distro_id=${distro}`)).json()) as {
        gpg_public_key: string;
      };
      expect((await fingerprints(config.gpg_public_key)).sort()).toEqual([oldFp, newFp].sort());
    }
    const keyAsc = await text("/agent/v1/repo/key.asc");
    expect((await fingerprints(keyAsc)).sort()).toEqual([oldFp, newFp].sort());

    // The metadata is signed with the new key (and not with the old one).
    const inRelease = await text("/agent/v1/repo/apt/InRelease");
    expect(await verifiesWith(keyAsc, newFp, { clear: inRelease })).toBe(true);
    expect(await verifiesWith(keyAsc, oldFp, { clear: inRelease })).toBe(false);
    const release = new TextEncoder().encode(await text("/agent/v1/repo/apt/Release"));
    expect(
      await verifiesWith(keyAsc, newFp, { data: release, sig: await text("/agent/v1/repo/apt/Release.gpg") }),
    ).toBe(true);
    const repomd = new TextEncoder().encode(await text("/agent/v1/repo/yum/repodata/repomd.xml"));
    const repomdSig = await text("/agent/v1/repo/yum/repodata/repomd.xml.asc");
    expect(await verifiesWith(keyAsc, newFp, { data: repomd, sig: repomdSig })).toBe(true);
    expect(await verifiesWith(keyAsc, oldFp, { data: repomd, sig: repomdSig })).toBe(false);

    // End of the overlap: only the new key is published.
    const retired = await call("/api/v1/admin/repo/signing-key/retire-previous", {
      method: "POST",
      headers: bearer(admin),
    });
    expect(retired.status).toBe(200);
    expect(await retired.json()).toMatchObject({ fingerprint: newFp, retired_fingerprints: [oldFp] });
    const after = (await (await call("/api/v1/pki/repo-config?distro_id=debian")).json()) as { gpg_public_key: string };
    expect(await fingerprints(after.gpg_public_key)).toEqual([newFp]);
    expect(await fingerprints(await text("/agent/v1/repo/key.asc"))).toEqual([newFp]);
    // A later regeneration keeps signing with the new key.
    const again = await call("/api/v1/admin/repo/regenerate-metadata", { method: "POST", headers: bearer(admin) });
    expect(((await again.json()) as { fingerprint: string }).fingerprint).toBe(newFp);

    for (const action of ["repo.signing_key.rotate", "repo.signing_key.retire"]) {
      const audit = (await (await call(`/api/v1/audit?action=${action}`, { headers: bearer(admin) })).json()) as {
        entries: unknown[];
      };
      expect(audit.entries.length, action).toBe(1);
      expect(JSON.stringify(audit.entries)).toContain(newFp);
    }
  });
});
