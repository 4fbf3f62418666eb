import { z } from "@hono/zod-openapi";
import { Role, Timestamp, Uuid } from "./common";

export const User = z
  .object({
    id: Uuid,
    username: z.string(),
    display_name: z.string(),
    email: z.string().nullable(),
    role: Role,
    auth_provider: z.string(),
    mfa_enabled: z.boolean(),
    is_active: z.boolean(),
    force_password_reset: z.boolean(),
    last_login_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("User");

const Email = z.email().max(254);

export const CreateUserRequest = z
  .object({
    username: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._@-]+$/, "username may contain letters, digits and . _ @ - only"),
    display_name: z.string().max(200).optional(),
    email: Email,
    role: z
      .string()
      .max(32)
      .transform((r) => (r === "admin" || r === "reporter" ? r : "operator")),
    password: z.string().max(1024),
  })
  .openapi("CreateUserRequest");

export const UpdateUserRequest = z
  .object({
    display_name: z.string().max(200).optional(),
    email: Email.nullable().optional(),
    role: Role.optional(),
    is_active: z.boolean().optional(),
    force_password_reset: z.boolean().optional(),
  })
  .strict()
  .openapi("UpdateUserRequest");

export const ChangeOwnPasswordRequest = z
  .object({ current_password: z.string().max(1024), new_password: z.string().max(1024) })
  .openapi("ChangeOwnPasswordRequest");

export const ResetPasswordRequest = z
  .object({ new_password: z.string().max(1024), force_password_reset: z.boolean().optional() })
  .openapi("ResetPasswordRequest");

export const RevokeResponse = z.object({ message: z.string(), count: z.number().int() }).openapi("RevokeResponse");

export const Group = z
  .object({ id: Uuid, name: z.string(), description: z.string(), created_at: Timestamp, updated_at: Timestamp })
  .openapi("Group");
export const GroupDetail = z
  .object({ group: Group, host_count: z.number().int(), user_count: z.number().int() })
  .openapi("GroupDetail");
export const CreateGroupRequest = z
  .object({ name: z.string().min(1).max(100), description: z.string().max(1000).optional() })
  .openapi("CreateGroupRequest");
export const UpdateGroupRequest = z
  .object({ name: z.string().min(1).max(100).optional(), description: z.string().max(1000).optional() })
  .strict()
  .openapi("UpdateGroupRequest");
export const GroupMemberParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
  user_id: Uuid.openapi({ param: { name: "user_id", in: "path" } }),
});
