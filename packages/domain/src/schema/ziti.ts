import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms, updatedAt } from "./columns";
import { apiSessions, identities } from "./identity";

/**
 * The OpenZiti control-plane model (docs/ziti.md): services, their configs,
 * the policies that decide who may Dial/Bind them through which edge routers,
 * posture checks, and the sessions an SDK opens to dial. Role lists are JSON
 * arrays of `#attribute`, `@id` and `#all` (packages/domain/src/ziti/policy.ts).
 */
export const zitiConfigTypes = sqliteTable("ziti_config_types", {
  id: id(),
  name: text("name").notNull().unique(),
  /** JSON schema every config of this type is validated against on write (null = any object). */
  schema: json<Record<string, unknown>>("schema"),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const zitiConfigs = sqliteTable(
  "ziti_configs",
  {
    id: id(),
    name: text("name").notNull().unique(),
    configTypeId: text("config_type_id")
      .notNull()
      .references(() => zitiConfigTypes.id),
    data: json<Record<string, unknown>>("data").notNull(),
    tags: json<Record<string, unknown>>("tags").notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ziti_configs_type").on(t.configTypeId)],
);

export const zitiServices = sqliteTable("ziti_services", {
  id: id(),
  name: text("name").notNull().unique(),
  roleAttributes: json<string[]>("role_attributes").notNull().default([]),
  /** Config ids, at most one per config type. */
  configs: json<string[]>("configs").notNull().default([]),
  encryptionRequired: bool("encryption_required").notNull().default(true),
  terminatorStrategy: text("terminator_strategy").notNull().default("smartrouting"),
  maxIdleTimeMillis: integer("max_idle_time_millis").notNull().default(0),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const zitiServicePolicies = sqliteTable("ziti_service_policies", {
  id: id(),
  name: text("name").notNull().unique(),
  type: text("type", { enum: ["Dial", "Bind"] }).notNull(),
  semantic: text("semantic", { enum: ["AllOf", "AnyOf"] })
    .notNull()
    .default("AllOf"),
  identityRoles: json<string[]>("identity_roles").notNull().default([]),
  serviceRoles: json<string[]>("service_roles").notNull().default([]),
  postureCheckRoles: json<string[]>("posture_check_roles").notNull().default([]),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const zitiEdgeRouters = sqliteTable("ziti_edge_routers", {
  id: id(),
  name: text("name").notNull().unique(),
  hostname: text("hostname").notNull(),
  /** protocol → address, e.g. {"tls": "tls://er1.example.com:3022"} */
  supportedProtocols: json<Record<string, string>>("supported_protocols").notNull().default({}),
  cost: integer("cost").notNull().default(0),
  noTraversal: bool("no_traversal").notNull().default(false),
  disabled: bool("disabled").notNull().default(false),
  roleAttributes: json<string[]>("role_attributes").notNull().default([]),
  /** Set by an operator or by the router's heartbeat; stale after the heartbeat window. */
  isOnline: bool("is_online").notNull().default(false),
  lastHeartbeatAt: ms("last_heartbeat_at"),
  appData: json<Record<string, unknown>>("app_data").notNull().default({}),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Edge-router policies (identities → routers) and service-edge-router policies (services → routers). */
export const zitiRouterPolicies = sqliteTable("ziti_router_policies", {
  id: id(),
  kind: text("kind", { enum: ["edge-router", "service-edge-router"] }).notNull(),
  name: text("name").notNull(),
  semantic: text("semantic", { enum: ["AllOf", "AnyOf"] })
    .notNull()
    .default("AllOf"),
  /** identity roles for an edge-router policy, service roles for a service-edge-router policy */
  subjectRoles: json<string[]>("subject_roles").notNull().default([]),
  edgeRouterRoles: json<string[]>("edge_router_roles").notNull().default([]),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const zitiPostureChecks = sqliteTable("ziti_posture_checks", {
  id: id(),
  name: text("name").notNull().unique(),
  typeId: text("type_id", { enum: ["OS", "PROCESS", "PROCESS_MULTI", "DOMAIN", "MAC", "MFA"] }).notNull(),
  roleAttributes: json<string[]>("role_attributes").notNull().default([]),
  /** The type's parameters (operatingSystems, process(es), domains, macAddresses, MFA timeout/prompts). */
  params: json<Record<string, unknown>>("params").notNull().default({}),
  tags: json<Record<string, unknown>>("tags").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** What an API session last reported for each posture query (POST /posture-response). */
export const zitiPostureResponses = sqliteTable(
  "ziti_posture_responses",
  {
    apiSessionId: text("api_session_id")
      .notNull()
      .references(() => apiSessions.id, { onDelete: "cascade" }),
    /** The posture query id = the posture check id. */
    checkId: text("check_id").notNull(),
    typeId: text("type_id").notNull(),
    data: json<Record<string, unknown>>("data").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.apiSessionId, t.checkId] })],
);

/**
 * Dial/Bind sessions opened by an API session. Their token is a JWT signed
 * with the access signing key (verifiable offline against the JWKS) and is
 * re-signed on read, so nothing secret is stored here.
 */
export const zitiSessions = sqliteTable(
  "ziti_sessions",
  {
    id: id(),
    type: text("type", { enum: ["Dial", "Bind"] }).notNull(),
    serviceId: text("service_id")
      .notNull()
      .references(() => zitiServices.id, { onDelete: "cascade" }),
    apiSessionId: text("api_session_id")
      .notNull()
      .references(() => apiSessions.id, { onDelete: "cascade" }),
    identityId: text("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    tags: json<Record<string, unknown>>("tags").notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ziti_sessions_api_session").on(t.apiSessionId), index("ziti_sessions_service").on(t.serviceId)],
);

/**
 * Per API session: the fingerprint of the identity's service list and posture
 * results when last looked at, and when it last changed (`lastChangeAt`).
 */
export const zitiServiceUpdates = sqliteTable("ziti_service_updates", {
  apiSessionId: text("api_session_id")
    .primaryKey()
    .references(() => apiSessions.id, { onDelete: "cascade" }),
  fingerprint: text("fingerprint").notNull(),
  lastChangeAt: ms("last_change_at").notNull(),
});
