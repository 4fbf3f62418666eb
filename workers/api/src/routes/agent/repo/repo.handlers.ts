import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { repoStore } from "../../../lib/repo-store";
import { ApiError } from "../../v1/errors";
import type * as r from "./repo.routes";

const TYPES: Record<string, string> = {
  asc: "application/pgp-keys",
  gpg: "application/pgp-signature",
  gz: "application/gzip",
  xml: "application/xml",
  deb: "application/vnd.debian.binary-package",
  rpm: "application/x-rpm",
};
const typeOf = (name: string) => TYPES[name.split(".").pop() ?? ""] ?? "text/plain; charset=utf-8";

async function metadata(c: Context<AppEnv>, path: string, cache: string) {
  const object = await svc.repoMetadataFile(repoStore(c), path);
  if (!object) throw new ApiError(404, "not_found", "Not in the repository");
  return c.body(object.body, 200, {
    "Content-Type": path.endsWith(".asc") && path.includes("repodata") ? "application/pgp-signature" : typeOf(path),
    "Content-Length": String(object.size),
    "Cache-Control": cache,
    "X-Content-Type-Options": "nosniff",
  });
}

async function packageFile(c: Context<AppEnv>, kind: "deb" | "rpm", version: string, file: string) {
  const row = await svc.repoPackageObject(await domain(c), kind, version, file);
  const object = row ? await repoStore(c).get(row.objectKey) : null;
  if (!row || !object) throw new ApiError(404, "not_found", "Not in the repository");
  return c.body(object.body, 200, {
    "Content-Type": TYPES[kind] ?? "application/octet-stream",
    "Content-Length": String(object.size),
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Checksum-Sha256": row.sha256,
    "X-Content-Type-Options": "nosniff",
  });
}

// Metadata changes with every regeneration: revalidate; hash-named yum data files never change.
export const repoKeyHandler: RouteHandler<typeof r.repoKey, AppEnv> = (c) => metadata(c, "key.asc", "no-cache");
export const aptMetadataHandler: RouteHandler<typeof r.aptMetadata, AppEnv> = (c) =>
  metadata(c, `apt/${c.req.valid("param").name}`, "no-cache");
export const aptPackageHandler: RouteHandler<typeof r.aptPackage, AppEnv> = (c) => {
  const { version, file } = c.req.valid("param");
  return packageFile(c, "deb", version, file);
};
export const yumMetadataHandler: RouteHandler<typeof r.yumMetadata, AppEnv> = (c) => {
  const { name } = c.req.valid("param");
  return metadata(
    c,
    `yum/repodata/${name}`,
    name.startsWith("repomd") ? "no-cache" : "public, max-age=31536000, immutable",
  );
};
export const yumPackageHandler: RouteHandler<typeof r.yumPackage, AppEnv> = (c) => {
  const { version, file } = c.req.valid("param");
  return packageFile(c, "rpm", version, file);
};
