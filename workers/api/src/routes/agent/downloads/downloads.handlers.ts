import { type AgentArtifactKind, agentArtifact, agentReleaseManifest } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { agentReleaseStore } from "../../../lib/agent-releases";
import { ApiError } from "../../v1/errors";
import type { download, manifest } from "./downloads.routes";

const CONTENT_TYPES: Record<AgentArtifactKind, string> = {
  executable: "application/octet-stream",
  deb: "application/vnd.debian.binary-package",
  rpm: "application/x-rpm",
  unit: "text/plain; charset=utf-8",
};

/** `linux-arm64.deb.sha256` → { arch: arm64, kind: deb, checksum: true }. The route's regex admits only these. */
function parseName(name: string): { arch: "x64" | "arm64"; kind: AgentArtifactKind; checksum: boolean } {
  const checksum = name.endsWith(".sha256");
  const base = checksum ? name.slice(0, -".sha256".length) : name;
  if (base === "fleetgate-agent.service") return { arch: "x64", kind: "unit", checksum };
  const [platform, ext] = base.split(".");
  const arch = platform === "linux-arm64" ? "arm64" : "x64";
  const kind: AgentArtifactKind = ext === "deb" ? "deb" : ext === "rpm" ? "rpm" : "executable";
  return { arch, kind, checksum };
}

export const downloadHandler: RouteHandler<typeof download, AppEnv> = async (c) => {
  const { name } = c.req.valid("param");
  const { version } = c.req.valid("query");
  const { arch, kind, checksum } = parseName(name);
  const artifact = await agentArtifact(agentReleaseStore(c), { os: "linux", arch }, kind, version, {
    withBody: !checksum,
  });
  // A versioned URL never changes; "latest" moves with each release.
  const cache = version ? "public, max-age=31536000, immutable" : "no-cache";
  if (checksum || !artifact.body) {
    return c.body(`${artifact.sha256}  ${artifact.file}\n`, 200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": cache,
      "X-Agent-Version": artifact.version,
    });
  }
  return c.body(artifact.body, 200, {
    "Content-Type": CONTENT_TYPES[kind],
    "Content-Length": String(artifact.size),
    "Content-Disposition": `attachment; filename="${artifact.file}"`,
    "Cache-Control": cache,
    "X-Checksum-Sha256": artifact.sha256,
    "X-Agent-Version": artifact.version,
    "X-Content-Type-Options": "nosniff",
  });
};

export const manifestHandler: RouteHandler<typeof manifest, AppEnv> = async (c) => {
  const { version } = c.req.valid("param");
  const found = await agentReleaseManifest(agentReleaseStore(c), version === "latest" ? undefined : version);
  if (!found) throw new ApiError(404, "not_found", `Agent release ${version} not found`);
  return c.json(found, 200, { "Cache-Control": version === "latest" ? "no-cache" : "public, max-age=3600" });
};
