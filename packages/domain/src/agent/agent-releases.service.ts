import { z } from "zod";
import { DomainError } from "../shared/errors";

/**
 * Agent releases in object storage (R2 `EXPORTS`, prefix `agent/releases/`), uploaded by
 * `scripts/publish-agent.mjs` as part of `pnpm deploy`:
 *   agent/releases/<version>/<file>      executables, .deb, .rpm, the systemd unit
 *   agent/releases/<version>/manifest.json
 *   agent/releases/latest.json           the manifest of the current version
 * The manifest is the one `packages/agent/release/build.mjs` writes; its sha256 values are what
 * the download endpoints announce and the installer verifies.
 */
export const AGENT_RELEASE_PREFIX = "agent/releases/";

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/);
export const AgentVersion = z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,64})?$/);
const Arch = z.enum(["x64", "arm64"]);

export const AgentReleaseManifest = z.object({
  name: z.literal("fleetgate-agent"),
  version: AgentVersion,
  node: z.string(),
  artifacts: z.array(
    z.object({ os: z.literal("linux"), arch: Arch, file: FileName, size: z.number().int(), sha256: Sha256 }),
  ),
  packages: z
    .array(
      z.object({
        os: z.literal("linux"),
        arch: Arch,
        kind: z.enum(["deb", "rpm"]),
        file: FileName,
        size: z.number().int(),
        sha256: Sha256,
      }),
    )
    .default([]),
  unit: z.object({ file: FileName, size: z.number().int(), sha256: Sha256 }).optional(),
});
export type AgentReleaseManifest = z.infer<typeof AgentReleaseManifest>;

/** What is downloadable for one platform: the executable, or its distribution package. */
export type AgentArtifactKind = "executable" | "deb" | "rpm" | "unit";

/** The storage port: the subset of R2Bucket the releases need (tests pass a real R2 binding). */
export interface ReleaseStore {
  get(key: string): Promise<{ body: ReadableStream; size: number; text(): Promise<string> } | null>;
  head(key: string): Promise<{ size: number; uploaded: Date } | null>;
  list(options: {
    prefix: string;
    delimiter: string;
    cursor?: string;
  }): Promise<{ delimitedPrefixes: string[]; truncated: boolean; cursor?: string }>;
}

/** One resolved artifact: its metadata from the manifest and the stored object. */
export interface AgentArtifact {
  version: string;
  file: string;
  size: number;
  sha256: string;
  /** Absent when only the metadata was asked for. */
  body?: ReadableStream;
}

/** The manifest of `version`, or of the latest release; undefined when none was published. */
export async function agentReleaseManifest(
  store: ReleaseStore,
  version?: string,
): Promise<AgentReleaseManifest | undefined> {
  if (version !== undefined && !AgentVersion.safeParse(version).success)
    throw new DomainError("common.validation", "Invalid version");
  const key = version ? `${AGENT_RELEASE_PREFIX}${version}/manifest.json` : `${AGENT_RELEASE_PREFIX}latest.json`;
  const object = await store.get(key);
  if (!object) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await object.text());
  } catch {
    throw new Error(`agent release manifest ${key} is not JSON`);
  }
  return AgentReleaseManifest.parse(raw);
}

/** Resolves `linux-<arch>` (+ kind, version) to the published file; not_found when absent. */
export async function agentArtifact(
  store: ReleaseStore,
  platform: { os: "linux"; arch: "x64" | "arm64" },
  kind: AgentArtifactKind,
  version?: string,
  { withBody = true } = {},
): Promise<AgentArtifact> {
  const manifest = await agentReleaseManifest(store, version);
  const wanted = `${platform.os}-${platform.arch}`;
  if (!manifest)
    throw new DomainError(
      "common.not_found",
      version ? `Agent version ${version} not found` : "No agent release published",
    );
  const entry =
    kind === "unit"
      ? manifest.unit
      : kind === "executable"
        ? manifest.artifacts.find((a) => a.os === platform.os && a.arch === platform.arch)
        : manifest.packages.find((p) => p.os === platform.os && p.arch === platform.arch && p.kind === kind);
  if (!entry)
    throw new DomainError("common.not_found", `No agent ${kind} for ${wanted} in version ${manifest.version}`);
  const key = `${AGENT_RELEASE_PREFIX}${manifest.version}/${entry.file}`;
  const missing = () => new DomainError("common.not_found", `Agent file ${entry.file} is missing from storage`);
  const found = { version: manifest.version, file: entry.file, size: entry.size, sha256: entry.sha256 };
  if (!withBody) {
    if (!(await store.head(key))) throw missing();
    return found;
  }
  const object = await store.get(key);
  if (!object) throw missing();
  return { ...found, body: object.body };
}
