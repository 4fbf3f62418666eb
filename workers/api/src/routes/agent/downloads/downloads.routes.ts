import { createRoute, z } from "@hono/zod-openapi";

const tags = ["Agent"];

/**
 * `linux-x64`, `linux-arm64` (the executable), `.deb` / `.rpm` (the package), `fleetgate-agent.service`
 * (the unit, for the installer's binary method); each with `.sha256` for its `sha256sum` line.
 */
export const DownloadName = z
  .string()
  .regex(
    /^(?:linux-(?:x64|arm64)(?:\.deb|\.rpm)?|fleetgate-agent\.service)(?:\.sha256)?$/,
    "Unknown download: use linux-x64 or linux-arm64, optionally with .deb, .rpm or .sha256",
  )
  .openapi({ param: { name: "name", in: "path" }, example: "linux-x64" });

export const VersionQuery = z.object({
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,64})?$/, "Invalid version")
    .optional()
    .openapi({ description: "Agent version (default: the latest published)" }),
});

export const download = createRoute({
  method: "get",
  path: "/download/{name}",
  tags,
  summary: "The agent executable or package for a platform (public), with its sha256",
  security: [],
  request: { params: z.object({ name: DownloadName }), query: VersionQuery },
  responses: {
    200: {
      description: "The file (`X-Checksum-Sha256`, `X-Agent-Version`), or its `sha256sum` line for `.sha256`",
      content: { "application/octet-stream": { schema: z.string() }, "text/plain": { schema: z.string() } },
    },
    400: { description: "Unknown platform or malformed version" },
    404: { description: "No such release or file" },
  },
});

export const manifest = createRoute({
  method: "get",
  path: "/releases/{version}",
  tags,
  summary: "The manifest of an agent release (`latest` or a version): files, sizes, sha256",
  security: [],
  request: {
    params: z.object({
      version: z.union([z.literal("latest"), z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,64})?$/)]),
    }),
  },
  responses: {
    200: { description: "Manifest", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
    404: { description: "No such release" },
  },
});
