import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/**
 * Health checks (linux-patch-manager.md §4): run by the host's agent (service state via systemd,
 * or HTTP status + expected body) before and after patching. `basic_auth_pass` is write-only.
 * Unlike the reference product, TLS verification is on unless `ignore_cert_errors` is true.
 */
const ServiceName = z
  .string()
  .regex(/^[A-Za-z0-9:_.@\\-]+$/, "not a systemd unit name")
  .max(256);
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const CreateHealthCheckRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** `service` or `http`; anything else is 400 invalid_check_type. */
    check_type: z
      .string()
      .max(32)
      .openapi({ enum: ["service", "http"] }),
    service_name: ServiceName.nullable().optional(),
    url: HttpUrl.nullable().optional(),
    expected_body: z.string().max(4096).nullable().optional(),
    ignore_cert_errors: z.boolean().default(false),
    basic_auth_user: z.string().max(256).nullable().optional(),
    basic_auth_pass: z.string().max(1024).nullable().optional(),
    target_host_id: Uuid.nullable().optional(),
  })
  .strict()
  .openapi("CreateHealthCheck");

/** The create body with `host_id` (the `/health-checks` alias). */
export const CreateHealthCheckAliasRequest = CreateHealthCheckRequest.extend({ host_id: Uuid })
  .strict()
  .openapi("CreateHealthCheckWithHost");

export const UpdateHealthCheckRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    service_name: ServiceName.nullable().optional(),
    url: HttpUrl.nullable().optional(),
    expected_body: z.string().max(4096).nullable().optional(),
    ignore_cert_errors: z.boolean().optional(),
    basic_auth_user: z.string().max(256).nullable().optional(),
    /** null removes the stored password; absent keeps it. */
    basic_auth_pass: z.string().max(1024).nullable().optional(),
    target_host_id: Uuid.nullable().optional(),
  })
  .strict()
  .openapi("UpdateHealthCheck");

export const HealthCheckResult = z
  .object({
    id: Uuid,
    check_id: Uuid,
    healthy: z.boolean(),
    detail: z.string(),
    latency_ms: z.number().int(),
    checked_at: Timestamp,
  })
  .openapi("HealthCheckResult");

export const HealthCheck = z
  .object({
    id: Uuid,
    host_id: Uuid,
    name: z.string(),
    check_type: z.enum(["service", "http"]),
    enabled: z.boolean(),
    service_name: z.string().nullable(),
    url: z.string().nullable(),
    expected_body: z.string().nullable(),
    ignore_cert_errors: z.boolean(),
    basic_auth_user: z.string().nullable(),
    target_host_id: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    last_result: HealthCheckResult.nullable(),
  })
  .openapi("HealthCheck");

export const HealthCheckCreated = z
  .object({
    id: Uuid,
    host_id: Uuid,
    name: z.string(),
    check_type: z.enum(["service", "http"]),
    enabled: z.boolean(),
    target_host_id: z.string().nullable(),
  })
  .openapi("HealthCheckCreated");

export const HealthCheckList = z
  .object({ checks: z.array(HealthCheck), total: z.number().int() })
  .openapi("HealthCheckList");

export const HealthCheckListQuery = z.object({ host_id: Uuid.optional() });

export const HostCheckParams = z.object({
  host_id: Uuid.openapi({ param: { name: "host_id", in: "path" } }),
  check_id: Uuid.openapi({ param: { name: "check_id", in: "path" } }),
});
export const CheckIdParam = z.object({ check_id: Uuid.openapi({ param: { name: "check_id", in: "path" } }) });

/** `POST …/health-checks/{check_id}/test`: the agent's result (unhealthy with the reason when it could not run it). */
export const HealthCheckTestResult = z
  .object({ healthy: z.boolean(), detail: z.string(), latency_ms: z.number().int() })
  .openapi("HealthCheckTestResult");
