// Maps a container's paths (volume mount paths, image path prefixes) to host folders for the process node, and rewrites them in command, args and env (pure).

/** One container path and the host folder that stands for it. */
export interface PathMapping { from: string; to: string }

export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }

/** The host /tmp stands for a container's /tmp: a process shares it anyway, and rewriting "/tmp" everywhere would do more harm than good. */
const UNMAPPED = new Set(['/tmp']);

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * The mappings for one container, longest container path first (so /var/task/lib wins over /var/task):
 * each mount whose volume has a host folder (volume name → folder in `volumeDirs`), then the image prefixes of `rootMap`.
 */
export function pathMappings(mounts: readonly VolumeMount[], volumeDirs: ReadonlyMap<string, string>, rootMap: Readonly<Record<string, string>> = {}): PathMapping[] {
  const out: PathMapping[] = [];
  for (const m of mounts) {
    const dir = volumeDirs.get(m.name);
    const from = trimSlash(m.mountPath);
    if (dir === undefined || UNMAPPED.has(from) || from === '/') continue;
    out.push({ from, to: m.subPath ? `${trimSlash(dir)}/${m.subPath}` : trimSlash(dir) });
  }
  for (const [from, to] of Object.entries(rootMap)) if (trimSlash(from) !== '/') out.push({ from: trimSlash(from), to: trimSlash(to) });
  // stable: on equal paths a mount (listed first) wins over an image prefix
  return out.sort((a, b) => b.from.length - a.from.length);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every whole-path occurrence of a mapped container path: at the start of `value` or after one of `"'=:, `,
 * and followed by the end, `/`, a quote, whitespace, or the `:`/`,` of a list. So `"codeDir":"/var/task"`,
 * `--dir=/var/task/lib` and `NODE_PATH=/var/task:/opt/lib` are rewritten, while `/var/taskforce` and `/srv/var/task` are not.
 * One pass over the string, so a replacement is never rewritten again.
 */
export function rewritePaths(value: string, mappings: readonly PathMapping[]): string {
  if (mappings.length === 0) return value;
  const byPath = new Map<string, string>();
  for (const m of mappings) if (!byPath.has(m.from)) byPath.set(m.from, m.to);
  // the alternation tries longer paths first, as `mappings` is ordered
  const pattern = new RegExp(`(^|["'=:, ])(${[...byPath.keys()].map(escape).join('|')})(?=$|[/"'\\s:,])`, 'g');
  return value.replace(pattern, (_, before: string, path: string) => `${before}${byPath.get(path)!}`);
}
