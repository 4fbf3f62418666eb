import { z } from "@hono/zod-openapi";
import { Uuid } from "./common";

/** `GET /api/v1/certificates?host_id&status` (linux-patch-manager.md §4 Certificates), issued_at desc. */
export const CertificateStatus = z.enum(["active", "revoked", "expired"]);
export const CertificateFilters = z.object({
  host_id: Uuid.optional(),
  status: CertificateStatus.optional(),
});
export type CertificateFilters = z.infer<typeof CertificateFilters>;
export const CertificateListQuery = CertificateFilters;
export const CertificateExportFilters = CertificateFilters.strict();
