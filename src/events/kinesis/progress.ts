// Where a shard's checkpoint may go (pure): records are read in order but finished out of order by parallel lanes, so
// the checkpoint only passes a record once it and every record before it are done. And which lane a record takes.
import { createHash } from 'node:crypto';

export class ShardProgress {
  private ids: string[] = [];
  private head = 0;
  private readonly done = new Set<string>();

  /** A record read, in read order. */
  add(id: string): void {
    this.ids.push(id);
  }

  markDone(ids: Iterable<string>): void {
    for (const id of ids) this.done.add(id);
  }

  /** Read and not yet passed by the checkpoint. */
  get outstanding(): number {
    return this.ids.length - this.head;
  }

  /** The last id of the run of done records at the front (forgotten from then on), or undefined when none. */
  advance(): string | undefined {
    let last: string | undefined;
    while (this.head < this.ids.length && this.done.has(this.ids[this.head]!)) {
      last = this.ids[this.head]!;
      this.done.delete(last);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
    return last;
  }
}

/** The lane of a partition key among `factor`: always the same one, so one key's records stay in order. */
export function laneOf(partitionKey: string, factor: number): number {
  if (factor <= 1) return 0;
  return createHash('md5').update(partitionKey, 'utf8').digest().readUInt32BE(0) % factor;
}
