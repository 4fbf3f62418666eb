import { createRoute, z } from "@hono/zod-openapi";

const tags = ["Agent package repository"];
const Version = z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,64})?$/, "Invalid version");
const PackageFile = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/, "Invalid file name");
const file = { description: "The file", content: { "application/octet-stream": { schema: z.string() } } };
const missing = { description: "Not in the repository (or no metadata generated yet)" };

export const repoKey = createRoute({
  method: "get",
  path: "/repo/key.asc",
  tags,
  summary: "The repository's OpenPGP public key (armored)",
  security: [],
  responses: { 200: file, 404: missing },
});

export const aptMetadata = createRoute({
  method: "get",
  path: "/repo/apt/{name}",
  tags,
  summary: "apt metadata of the flat repository: InRelease, Release, Release.gpg, Packages, Packages.gz",
  security: [],
  request: {
    params: z.object({
      name: z.enum(["InRelease", "Release", "Release.gpg", "Packages", "Packages.gz"]).openapi({
        param: { name: "name", in: "path" },
      }),
    }),
  },
  responses: { 200: file, 400: { description: "Unknown file" }, 404: missing },
});

export const aptPackage = createRoute({
  method: "get",
  path: "/repo/apt/pool/{version}/{file}",
  tags,
  summary: "A .deb of the repository (the `Filename` of its Packages entry)",
  security: [],
  request: { params: z.object({ version: Version, file: PackageFile }) },
  responses: { 200: file, 400: { description: "Malformed path" }, 404: missing },
});

export const yumMetadata = createRoute({
  method: "get",
  path: "/repo/yum/repodata/{name}",
  tags,
  summary: "yum/dnf metadata: repomd.xml, repomd.xml.asc and the files it lists",
  security: [],
  request: {
    params: z.object({
      name: z
        .string()
        .regex(/^(?:repomd\.xml(?:\.asc)?|[0-9a-f]{64}-(?:primary|filelists|other)\.xml\.gz)$/, "Unknown file")
        .openapi({ param: { name: "name", in: "path" } }),
    }),
  },
  responses: { 200: file, 400: { description: "Unknown file" }, 404: missing },
});

export const yumPackage = createRoute({
  method: "get",
  path: "/repo/yum/packages/{version}/{file}",
  tags,
  summary: "An .rpm of the repository (the `location` of its primary.xml entry)",
  security: [],
  request: { params: z.object({ version: Version, file: PackageFile }) },
  responses: { 200: file, 400: { description: "Malformed path" }, 404: missing },
});
