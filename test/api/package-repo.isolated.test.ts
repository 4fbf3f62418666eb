// The package repository's API (isolated: the first regeneration creates the deployment's signing key).
// Refusals first; the real apt/dnf round trip is test/e2e/package-repo.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const version = `${200 + Math.floor(Math.random() * 1_000_000)}.0.0`;

describe("package repository API", () => {
  it("repo-config: 400 missing_param, 400 unsupported_distro, 404 repo_not_configured before the first run", async () => {
    const missing = await call("/api/v1/pki/repo-config");
    expect(missing.status).toBe(400);
    expect(await nativeError(missing)).toMatchObject({
      code: "missing_param",
      message: "distro_id query parameter is required",
    });
    const gentoo = await call("/api/v1/pki/repo-config?distro_id=gentoo");
    expect(gentoo.status).toBe(400);
    expect(await nativeError(gentoo)).toMatchObject({
      code: "unsupported_distro",
      message: "Unsupported distro_id: gentoo",
    });
    const bad = await call("/api/v1/pki/repo-config?distro_id=debian&codename=%3Bx");
    expect(bad.status).toBe(400);
    const none = await call("/api/v1/pki/repo-config?distro_id=debian");
    expect(none.status).toBe(404);
    expect((await nativeError(none)).code).toBe("repo_not_configured");
    expect((await call("/agent/v1/repo/apt/InRelease")).status).toBe(404);
  });

  it("admin endpoints: 401 without a token, 403 for an operator", async () => {
    expect((await call("/api/v1/admin/repo/packages")).status).toBe(401);
    const op = await userWithRole("operator");
    for (const [path, method] of [
      ["/api/v1/admin/repo/packages", "GET"],
      ["/api/v1/admin/repo/sync-status", "GET"],
      ["/api/v1/admin/repo/regenerate-metadata", "POST"],
    ] as const)
      expect((await call(path, { method, headers: bearer(op.session) })).status, path).toBe(403);
  });

  it("a package that is not a .deb is reported (partial) and left out; the key and the metadata are made and audited", async () => {
    const junk = "this is not a debian package";
    const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(junk)))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const file = `fleetgate-agent_${version}_amd64.deb`;
    await env.EXPORTS.put(`agent/releases/${version}/${file}`, junk);
    await env.EXPORTS.put(
      `agent/releases/${version}/manifest.json`,
      JSON.stringify({
        name: "fleetgate-agent",
        version,
        node: "22",
        artifacts: [],
        packages: [{ os: "linux", arch: "x64", kind: "deb", file, size: junk.length, sha256: sha }],
      }),
    );
    const admin = await adminLogin();
    const res = await call("/api/v1/admin/repo/regenerate-metadata", { method: "POST", headers: bearer(admin) });
    expect(res.status).toBe(200);
    const run = (await res.json()) as { status: string; errors: string[]; fingerprint: string; sync_id: string };
    expect(run.status).toBe("partial");
    expect(run.errors.join()).toContain(`${file}: not a Debian package`);
    const listed = (await (await call("/api/v1/admin/repo/packages", { headers: bearer(admin) })).json()) as {
      packages: { filename: string }[];
    };
    expect(listed.packages.map((p) => p.filename)).not.toContain(file);
    const status = (await (await call("/api/v1/admin/repo/sync-status", { headers: bearer(admin) })).json()) as {
      recent_syncs: { id: string; status: string; error_message: string | null; finished_at: string | null }[];
    };
    expect(status.recent_syncs.find((s) => s.id === run.sync_id)).toMatchObject({ status: "partial" });

    // The key now exists: repo-config answers, the signed metadata is served, the private key is not stored in clear.
    const config = await call("/api/v1/pki/repo-config?distro_id=almalinux");
    expect(config.status).toBe(200);
    const body = (await config.json()) as { gpg_public_key: string; sources_config: string; keyring_path: string };
    expect(body.sources_config).toContain("repo_gpgcheck=1");
    expect(body.keyring_path).toBe("/etc/pki/rpm-gpg/RPM-GPG-KEY-fleetgate-agent");
    const row = await env.DB.prepare("SELECT private_key_enc, fingerprint FROM repo_signing_keys").first<{
      private_key_enc: string;
      fingerprint: string;
    }>();
    expect(row?.fingerprint).toBe(run.fingerprint);
    expect(row?.private_key_enc).not.toContain("PGP");
    expect((await call("/agent/v1/repo/apt/InRelease")).status).toBe(200);
    expect((await call("/agent/v1/repo/yum/repodata/repomd.xml.asc")).status).toBe(200);
    expect((await call("/agent/v1/repo/yum/repodata/..%2Fkey.asc")).status).toBe(400);
    expect((await call(`/agent/v1/repo/apt/pool/${version}/${file}`)).status).toBe(404);

    const audit = (await (await call("/api/v1/audit?action=repo.regenerate", { headers: bearer(admin) })).json()) as {
      entries: { target_id?: string; targetId?: string }[];
    };
    expect(JSON.stringify(audit.entries)).toContain(run.sync_id);
    const keyAudit = (await (
      await call("/api/v1/audit?action=repo.signing_key.create", { headers: bearer(admin) })
    ).json()) as { entries: unknown[] };
    expect(keyAudit.entries.length).toBe(1);
  });

  it("an approved self-enrollment carries repo_config for the distribution in its os_details (none for others)", async () => {
    const admin = await adminLogin();
    const enrollAs = async (osDetails: Record<string, unknown>, ip: string) => {
      const name = `repo-${crypto.randomUUID().slice(0, 8)}`;
      const machineId = crypto.randomUUID().replace(/-/g, "");
      const res = await call("/api/v1/enroll", {
        method: "POST",
        headers: { "cf-connecting-ip": ip },
        json: {
          machine_id: machineId,
          fqdn: `${name}.example.test`,
          ip_address: ip,
          os_details: osDetails,
          hostname: name,
        },
      });
      expect(res.status).toBe(202);
      const { polling_token } = (await res.json()) as { polling_token: string };
      const pending = (await (
        await call("/api/v1/admin/enrollments?limit=200", { headers: bearer(admin) })
      ).json()) as {
        id: string;
        machine_id: string;
      }[];
      const id = pending.find((e) => e.machine_id === machineId)?.id ?? "";
      const ok = await call(`/api/v1/admin/enrollments/${id}/approve`, { method: "POST", headers: bearer(admin) });
      expect(ok.status).toBe(200);
      return (await (await call(`/api/v1/enroll/status/${polling_token}`)).json()) as Record<string, unknown>;
    };
    const ubuntuConfig = await (await call("/api/v1/pki/repo-config?distro_id=ubuntu")).json();
    // Our agent: os = os-release ID.
    const ubuntu = await enrollAs({ os: "ubuntu", name: "Ubuntu 24.04 LTS", codename: "noble" }, "192.0.2.31");
    expect(ubuntu.status).toBe("approved");
    expect(ubuntu.repo_config).toEqual(ubuntuConfig);
    expect(ubuntu.repo_config).toMatchObject({
      distro_id: "ubuntu",
      keyring_path: "/etc/apt/keyrings/fleetgate-agent.asc",
      sources_config: expect.stringMatching(
        /^deb \[signed-by=\/etc\/apt\/keyrings\/fleetgate-agent\.asc\] http.*\/agent\/v1\/repo\/apt\/ \.\/\n$/,
      ),
    });
    // The reference agent: distro = os-release NAME, id_like.
    const rocky = await enrollAs(
      { distro: "Rocky Linux", version: "9.4", id_like: "rhel centos fedora" },
      "192.0.2.32",
    );
    const rockyRepo = rocky.repo_config as { distro_id: string; sources_config: string; keyring_path: string };
    expect(rockyRepo.distro_id).toBe("rocky");
    expect(rockyRepo.sources_config).toMatch(/^baseurl=http.*\/agent\/v1\/repo\/yum\/$/m);
    expect(rockyRepo.keyring_path).toBe("/etc/pki/rpm-gpg/RPM-GPG-KEY-fleetgate-agent");
    // A distribution the repository does not serve: the bundle without repo_config.
    const arch = await enrollAs({ os: "arch", name: "Arch Linux" }, "192.0.2.33");
    expect(arch.status).toBe("approved");
    expect(arch.ca_crt).toContain("BEGIN CERTIFICATE");
    expect(arch).not.toHaveProperty("repo_config");
  });
});
