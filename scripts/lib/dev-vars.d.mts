export function randomAdminPassword(): string;
export function parseDevVars(text: string): Map<string, string>;
export interface DevVarsResult {
  created: boolean;
  added: string[];
  adminPassword?: string;
  adminFromEnv: boolean;
  vars: Record<string, string>;
}
export function ensureDevVars(root: string, env?: Record<string, string | undefined>): DevVarsResult;
