import { z } from "@hono/zod-openapi";
import { BaseEntity, envelopeOf } from "./envelope";

const ApiVersion = z.object({ path: z.string(), apiBaseUrls: z.array(z.string()) });
export const Version = z
  .object({
    version: z.string(),
    revision: z.string(),
    buildDate: z.string(),
    runtimeVersion: z.string(),
    apiVersions: z.record(z.string(), z.record(z.string(), ApiVersion)),
    capabilities: z.array(z.string()),
  })
  .openapi("Version");
export const VersionEnvelope = envelopeOf(Version, "VersionEnvelope");
export const CapabilitiesEnvelope = envelopeOf(z.array(z.string()), "CapabilitiesEnvelope");
export const ProtocolsEnvelope = envelopeOf(
  z.record(z.string(), z.object({ address: z.string() })),
  "ProtocolsEnvelope",
);

export const SpecDetail = z.object({ ...BaseEntity, name: z.string() }).openapi("specDetail");
export const SpecBody = z.record(z.string(), z.unknown()).openapi("specBodyDetail");
