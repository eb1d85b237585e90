// Splits a runtime's output into lines, keeping a trailing partial line until its newline (or a flush), and passes on the sink's backpressure.

/** Longest partial line kept before it is written out anyway: a function printing without newlines never grows the agent. */
export const MAX_PARTIAL = 256 * 1024;

/** Takes one line; a promise means "I am full: send no more until this settles". */
export type LineSink = (line: string) => void | Promise<void>;

export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: LineSink, private readonly maxPartial = MAX_PARTIAL) {}

  /** Passes on every complete line in `chunk`; returns the last "full" promise the sink gave, if any. */
  write(chunk: string): Promise<void> | undefined {
    let full: Promise<void> | undefined;
    const emit = (line: string) => {
      const r = this.onLine(line);
      if (r) full = r;
    };
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl !== -1) {
      const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const piece = chunk.slice(start, end);
      if (this.partial) {
        const line = this.partial + piece;
        this.partial = '';
        emit(line);
      } else {
        emit(piece);
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.partial += chunk.slice(start);
      while (this.partial.length > this.maxPartial) {
        emit(this.partial.slice(0, this.maxPartial));
        this.partial = this.partial.slice(this.maxPartial);
      }
    }
    return full;
  }

  /** Writes out the partial line, if any (the end of an invocation). */
  flush(): void {
    if (!this.partial) return;
    const line = this.partial;
    this.partial = '';
    void this.onLine(line);
  }
}
