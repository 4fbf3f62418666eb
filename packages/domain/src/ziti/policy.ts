/**
 * OpenZiti policy semantics, pure. A role list holds `#attribute` selectors,
 * `@id` references and the special `#all`. Entities named by `@id` always
 * match; attribute selectors combine by the policy's semantic: `AllOf` needs
 * every listed attribute, `AnyOf` any one of them. `#all` matches everything.
 */
export type Semantic = "AllOf" | "AnyOf";

export interface RoleTarget {
  id: string;
  roleAttributes: readonly string[];
}

/** True when `entity` is selected by `roles` under `semantic`. */
export function matchesRoles(entity: RoleTarget, roles: readonly string[], semantic: Semantic): boolean {
  const attrs: string[] = [];
  for (const role of roles) {
    if (role === "#all") return true;
    if (role.startsWith("@")) {
      if (role.slice(1) === entity.id) return true;
    } else if (role.startsWith("#")) attrs.push(role.slice(1));
  }
  if (attrs.length === 0) return false;
  const has = new Set(entity.roleAttributes);
  return semantic === "AllOf" ? attrs.every((a) => has.has(a)) : attrs.some((a) => has.has(a));
}

/** Checks a role list is well formed: every entry `#attr`, `@id` or `#all`, no empty names. */
export function invalidRoles(roles: readonly string[]): string[] {
  return roles.filter((r) => !/^[#@][^\s#@][^\s]{0,254}$/.test(r));
}

export type PolicyType = "Dial" | "Bind";

export interface ServicePolicy {
  id: string;
  type: PolicyType;
  semantic: Semantic;
  identityRoles: readonly string[];
  serviceRoles: readonly string[];
  postureCheckRoles: readonly string[];
}

export interface PostureCheckRef extends RoleTarget {
  typeId: string;
}

/** The policies that grant `identity` access to `service`, and the permissions (`Dial`/`Bind`) they give. */
export function grantingPolicies(
  identity: RoleTarget,
  service: RoleTarget,
  policies: readonly ServicePolicy[],
): { policies: ServicePolicy[]; permissions: PolicyType[] } {
  const granting = policies.filter(
    (p) => matchesRoles(identity, p.identityRoles, p.semantic) && matchesRoles(service, p.serviceRoles, p.semantic),
  );
  const permissions = (["Bind", "Dial"] as const).filter((t) => granting.some((p) => p.type === t));
  return { policies: granting, permissions };
}

/** The posture checks a policy requires (its `postureCheckRoles`, always AnyOf-free: checks are selected like entities). */
export function policyPostureChecks<C extends PostureCheckRef>(policy: ServicePolicy, checks: readonly C[]): C[] {
  return checks.filter((c) => matchesRoles(c, policy.postureCheckRoles, policy.semantic));
}

export interface PolicyPosture<C> {
  policy: ServicePolicy;
  checks: C[];
  isPassing: boolean;
}

/**
 * Evaluates posture per granting policy of one type. Access of that type is
 * allowed when at least one granting policy has all its checks passing (a
 * policy without checks passes), as the OpenZiti controller decides.
 */
export function postureByPolicy<C extends PostureCheckRef>(
  policies: readonly ServicePolicy[],
  checks: readonly C[],
  passes: (check: C) => boolean,
): PolicyPosture<C>[] {
  return policies.map((policy) => {
    const required = policyPostureChecks(policy, checks);
    return { policy, checks: required, isPassing: required.every(passes) };
  });
}

/** True when some policy of `type` passes its posture checks. */
export function accessAllowed<C>(type: PolicyType, posture: readonly PolicyPosture<C>[]): boolean {
  return posture.some((p) => p.policy.type === type && p.isPassing);
}

export interface RouterPolicy {
  semantic: Semantic;
  /** identity roles (edge-router policy) or service roles (service-edge-router policy) */
  subjectRoles: readonly string[];
  edgeRouterRoles: readonly string[];
}

/** Edge routers reachable from `subject` through any of `policies`. */
export function routersFor<R extends RoleTarget>(
  subject: RoleTarget,
  routers: readonly R[],
  policies: readonly RouterPolicy[],
): R[] {
  const applicable = policies.filter((p) => matchesRoles(subject, p.subjectRoles, p.semantic));
  return routers.filter((r) => applicable.some((p) => matchesRoles(r, p.edgeRouterRoles, p.semantic)));
}

/** Routers a session may use: reachable by the identity AND serving the service. */
export function sessionRouters<R extends RoleTarget>(
  identity: RoleTarget,
  service: RoleTarget,
  routers: readonly R[],
  edgeRouterPolicies: readonly RouterPolicy[],
  serviceEdgeRouterPolicies: readonly RouterPolicy[],
): R[] {
  const byIdentity = new Set(routersFor(identity, routers, edgeRouterPolicies).map((r) => r.id));
  return routersFor(service, routers, serviceEdgeRouterPolicies).filter((r) => byIdentity.has(r.id));
}
