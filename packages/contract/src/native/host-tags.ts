import { z } from "@hono/zod-openapi";

/** An admin tag key: what `host_filter.tag` and discovery's `via_tag` match (`key` or `key=value`). */
const TagKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "tag keys are 1-64 of A-Z a-z 0-9 _ . -");
const TagValue = z.string().max(256);

/** Admin-assigned tags of a host: at most 32, replacing the previous set. */
export const HostTags = z
  .record(TagKey, TagValue)
  .refine((t) => Object.keys(t).length <= 32, "at most 32 tags per host")
  .openapi("HostTags", { example: { env: "production", tier: "db" } });

export const SetHostTagsRequest = z.object({ tags: HostTags }).strict().openapi("SetHostTagsRequest");

export const SetHostTagsResponse = z
  .object({ message: z.string(), tags: z.record(z.string(), z.string()) })
  .openapi("SetHostTagsResponse");
