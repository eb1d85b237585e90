// Reads Redis's append-only files (the incr files of its appendonlydir, RESP) to say what Redis kept of a request id:
// the evidence for a lost event (never written, or taken and acknowledged without being recorded).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every command of the folder's incr AOF files, in file order, as arrays of strings. */
export function* aofCommands(redisDir: string): Generator<string[]> {
  const dir = join(redisDir, 'appendonlydir');
  if (!existsSync(dir)) return;
  const manifest = readFileSync(join(dir, 'appendonly.aof.manifest'), 'utf8');
  const files = [...manifest.matchAll(/file (\S+) seq \d+ type i/g)].map((m) => m[1]!);
  for (const file of files.length ? files : readdirSync(dir).filter((f) => f.endsWith('.incr.aof'))) {
    const data = readFileSync(join(dir, file));
    let i = 0;
    const line = (): string => {
      const end = data.indexOf('\r\n', i);
      if (end === -1) throw new RangeError('truncated');
      const s = data.toString('latin1', i, end);
      i = end + 2;
      return s;
    };
    try {
      while (i < data.length) {
        const head = line();
        if (!head.startsWith('*')) break; // not RESP: stop reading this file
        const args: string[] = [];
        for (let n = Number(head.slice(1)); n > 0; n--) {
          const len = Number(line().slice(1));
          args.push(data.toString('latin1', i, i + len));
          i += len + 2;
        }
        yield args;
      }
    } catch {
      // a torn last command (Redis was killed mid-write): Redis itself truncates it on load
    }
  }
}

/** For each request id, the commands that name it (command name and key suffix, e.g. "RPUSH :pending"). */
export function aofTrail(redisDir: string, requestIds: readonly string[]): Map<string, string[]> {
  const trail = new Map<string, string[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return trail;
  for (const args of aofCommands(redisDir)) {
    for (const a of args.slice(1)) {
      const hit = trail.get(a);
      if (!hit) continue;
      hit.push(`${args[0]!.toUpperCase()} ${(args[1] ?? '').replace(/^.*\}/, '')}`);
      break;
    }
  }
  return trail;
}
