import { z } from "@hono/zod-openapi";
import { Uuid } from "./common";
import { Pagination } from "./hosts";

/** `GET /api/v1/certificates?host_id&status` (linux-patch-manager.md §4 Certificates), issued_at desc. */
export const CertificateStatus = z.enum(["active", "revoked", "expired"]);
export const CertificateFilters = z.object({
  host_id: Uuid.optional(),
  status: CertificateStatus.optional(),
});
export type CertificateFilters = z.infer<typeof CertificateFilters>;
/** The list pages like the other native lists (limit default 50, clamped to 200; offset); the body stays a plain array. */
export const CertificateListQuery = CertificateFilters.extend(Pagination.shape);
export const CertificateExportFilters = CertificateFilters.strict();
