import { type ArgsDef, type CommandDef, defineCommand } from "citty";
import type { App } from "../app";
import { UsageError } from "../exit-codes";

interface Node {
  path: string[];
  description: string;
  children: Node[];
  flags: string[];
}

const GLOBAL_FLAGS = ["--output", "--context", "--url", "--yes", "--no-input", "--no-color", "--help"];

async function resolve<T>(v: T | Promise<T> | (() => T | Promise<T>) | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

/** The command tree (names, descriptions, flags) as completion scripts need it. */
export async function commandTree(cmd: CommandDef, path: string[] = []): Promise<Node> {
  const meta = await resolve(cmd.meta);
  const args = ((await resolve(cmd.args)) ?? {}) as ArgsDef;
  const subs = (await resolve(cmd.subCommands)) ?? {};
  const children: Node[] = [];
  for (const [name, sub] of Object.entries(subs)) {
    const def = (await resolve(sub)) as CommandDef;
    children.push(await commandTree(def, [...path, name]));
  }
  const flags = Object.entries(args)
    .filter(([, a]) => a.type !== "positional")
    .map(([n]) => (n.length === 1 ? `-${n}` : `--${n}`));
  return { path, description: meta?.description ?? "", children, flags };
}

function all(n: Node): Node[] {
  return [n, ...n.children.flatMap(all)];
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** bash (and zsh through bashcompinit): complete the words valid after the command path typed so far. */
export function bashScript(root: Node): string {
  const cases = all(root)
    .map((n) => {
      const words = [...n.children.map((c) => c.path.at(-1) ?? ""), ...n.flags, ...GLOBAL_FLAGS].join(" ");
      return `    ${q(n.path.join(" "))}) words=${q(words)} ;;`;
    })
    .join("\n");
  return `# fleetgate completion for bash: source <(fleetgate completion bash)
_fleetgate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) ;; *) path="\${path:+$path }$w" ;; esac
  done
  while :; do
    case "$path" in
${cases}
    *) path="\${path% *}"; [ "$path" = "\${path% *}" ] && [ -z "\${path##* *}" ] && path=""; continue ;;
    esac
    break
  done
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _fleetgate fleetgate
`;
}

export function zshScript(root: Node): string {
  return `# fleetgate completion for zsh: source <(fleetgate completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

/** fish: subcommands offered after their parent's words, flags after the leaf command. */
export function fishScript(root: Node): string {
  const lines = ["# fleetgate completion for fish: fleetgate completion fish | source", "complete -c fleetgate -f"];
  for (const n of all(root)) {
    const cond =
      n.path.length === 0
        ? "__fish_use_subcommand"
        : `__fish_seen_subcommand_from ${n.path.at(-1)}; and not __fish_seen_subcommand_from ${n.children.map((c) => c.path.at(-1)).join(" ") || "__none__"}`;
    for (const c of n.children) {
      lines.push(`complete -c fleetgate -n ${q(cond)} -a ${q(c.path.at(-1) ?? "")} -d ${q(c.description)}`);
    }
    for (const f of n.flags) {
      const opt = f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      lines.push(`complete -c fleetgate -n ${q(cond)} ${opt}`);
    }
  }
  for (const f of GLOBAL_FLAGS) lines.push(`complete -c fleetgate -l ${f.slice(2)}`);
  return `${lines.join("\n")}\n`;
}

/** `fleetgate completion bash|zsh|fish`. */
export const completion = (app: App, root: () => CommandDef) =>
  defineCommand({
    meta: { name: "completion", description: "Print a shell completion script (bash, zsh, fish)" },
    args: { shell: { type: "positional", required: true, description: "bash | zsh | fish" } },
    async run({ args }) {
      const tree = await commandTree(root());
      if (args.shell === "bash") app.out(bashScript(tree));
      else if (args.shell === "zsh") app.out(zshScript(tree));
      else if (args.shell === "fish") app.out(fishScript(tree));
      else throw new UsageError(`unsupported shell "${args.shell}" (bash, zsh, fish)`);
    },
  });
