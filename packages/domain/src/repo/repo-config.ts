import type { DomainContext } from "../shared/context";
import { APT_DISTROS, YUM_DISTROS } from "./repo-distro";
import { publishedKeyring } from "./repo-signing-key.service";

export interface RepoConfig {
  gpg_public_key: string;
  sources_config: string;
  distro_id: string;
  keyring_path: string;
}

/**
 * `GET /pki/repo-config`: the source entry and key for a distribution (linux-patch-manager.md §5
 * RepoConfig). `unsupported` for a distribution we have no repository for; `not_configured` before
 * the first metadata generation created the key.
 */
export async function repoConfigFor(
  ctx: Pick<DomainContext, "db">,
  distroId: string,
  baseUrl: string,
): Promise<RepoConfig | "unsupported" | "not_configured"> {
  const id = distroId.toLowerCase();
  const apt = APT_DISTROS.has(id);
  if (!apt && !YUM_DISTROS.has(id)) return "unsupported";
  // Every published key: during a signing-key rotation the old and the new one.
  const published = await publishedKeyring(ctx);
  if (!published) return "not_configured";
  const key = { publicKey: published };
  const base = `${baseUrl.replace(/\/+$/, "")}/agent/v1/repo`;
  if (apt) {
    const keyring = "/etc/apt/keyrings/fleetgate-agent.asc";
    return {
      gpg_public_key: key.publicKey,
      sources_config: `deb [signed-by=${keyring}] ${base}/apt/ ./\n`,
      distro_id: id,
      keyring_path: keyring,
    };
  }
  const keyring = "/etc/pki/rpm-gpg/RPM-GPG-KEY-fleetgate-agent";
  return {
    gpg_public_key: key.publicKey,
    // Only the metadata is signed (repo_gpgcheck); it pins each package's sha256, so gpgcheck is off.
    sources_config: [
      "[fleetgate-agent]",
      "name=Fleetgate agent",
      `baseurl=${base}/yum/`,
      "enabled=1",
      "gpgcheck=0",
      "repo_gpgcheck=1",
      `gpgkey=file://${keyring}`,
      "",
    ].join("\n"),
    distro_id: id,
    keyring_path: keyring,
  };
}
