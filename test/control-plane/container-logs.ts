// The process node's container logs: the last lines each container wrote to stdout and stderr, kept for a failing test's message.
import { StringDecoder } from 'node:string_decoder';

const LOG_LINES = 200;

/** The last lines a container wrote to stdout and stderr. */
export class LogRing {
  private readonly lines: string[] = [];

  /** A writer for one stream, which keeps its own partial line. */
  stream(): (chunk: Buffer) => void {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    return (chunk) => {
      const parts = (partial + decoder.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.add(line);
      if (partial.length > 16_384) { this.add(partial); partial = ''; }
    };
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES) this.lines.shift();
  }

  text(prefix = ''): string[] { return this.lines.map((l) => prefix + l); }
}

/** "namespace/pod" → container → log; kept after the pod is gone. */
export class PodLogs {
  private readonly pods = new Map<string, Map<string, LogRing>>();

  ring(namespace: string, pod: string, container: string): LogRing {
    const key = `${namespace}/${pod}`;
    const rings = this.pods.get(key) ?? new Map<string, LogRing>();
    this.pods.set(key, rings);
    const ring = rings.get(container) ?? new LogRing();
    rings.set(container, ring);
    return ring;
  }

  /** One container's lines, or every container's prefixed with its name. */
  text(namespace: string, pod: string, container?: string): string {
    const rings = this.pods.get(`${namespace}/${pod}`);
    if (!rings) return '';
    if (container !== undefined) return rings.get(container)?.text().join('\n') ?? '';
    const many = rings.size > 1;
    return [...rings].flatMap(([name, ring]) => ring.text(many ? `[${name}] ` : '')).join('\n');
  }
}
