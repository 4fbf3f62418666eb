/**
 * The one-liner shown to operators (enrollment and host registration answers, README): the token
 * goes to the installer as an argument, never into a URL (docs/agent-distribution.md).
 */
export function installCommand(server: string, token: string): string {
  return `curl -fsSL ${server}/agent/v1/install.sh | sudo sh -s -- --token ${token}`;
}
