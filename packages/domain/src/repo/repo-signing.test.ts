import { describe, expect, it } from "vitest";
import { clearSign, detachedSign, generateRepoKey, verifyDetached } from "./repo-signing";

// Runs in workerd (the workers project): proves openpgp.js works inside the Worker runtime.
describe("repository signing (openpgp.js in workerd)", () => {
  it("generates an Ed25519 key, signs detached and clear-signed, and a changed byte fails", async () => {
    const at = new Date("2026-12-07T12:00:00Z");
    const key = await generateRepoKey({ name: "Fleetgate test", email: "repo@example.test" }, at);
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(key.armoredPublicKey).toContain("BEGIN PGP PUBLIC KEY BLOCK");
    expect(key.armoredPrivateKey).toContain("BEGIN PGP PRIVATE KEY BLOCK");
    const data = new TextEncoder().encode("Origin: Fleetgate\nSuite: stable\n");
    const sig = await detachedSign(data, key.armoredPrivateKey, at);
    expect(sig).toContain("BEGIN PGP SIGNATURE");
    expect(await verifyDetached(data, sig, key.armoredPublicKey)).toBe(true);
    const tampered = new TextEncoder().encode("Origin: Fleetgatf\nSuite: stable\n");
    expect(await verifyDetached(tampered, sig, key.armoredPublicKey)).toBe(false);
    const clear = await clearSign("Origin: Fleetgate\n", key.armoredPrivateKey, at);
    expect(clear).toMatch(
      /^-----BEGIN PGP SIGNED MESSAGE-----\n(Hash: SHA(256|512)\n)?\nOrigin: Fleetgate\n-----BEGIN PGP SIGNATURE-----\n/,
    );
    expect(clear).not.toContain("\r");
  });
});
