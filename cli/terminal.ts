// Terminal output helpers: colours only on a TTY (NO_COLOR / FORCE_COLOR respected), a
// single-line progress bar, and plain text tables. Everything degrades to plain lines when the
// output is a pipe or a file, so tests and CI logs stay readable.

/** Whether to colour output written to `stream` (https://no-color.org, FORCE_COLOR). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true && process.env.TERM !== 'dumb';
}

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const identity = (s: string) => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/** Palette for stdout / stderr, decided once per process. */
export const out = palette(colorEnabled(process.stdout));
export const err = palette(colorEnabled(process.stderr));

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(ANSI, '').length;

/** Renders rows as aligned columns; `align` per column ('l' or 'r'). The header row is underlined with dashes. */
export function table(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const cell = (s: string, i: number) => {
    const pad = ' '.repeat(widths[i]! - visibleLength(s));
    return align[i] === 'r' ? pad + s : s + pad;
  };
  const line = (r: string[]) => r.map(cell).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Progress reporting for a known number of steps: a redrawn bar on a TTY, otherwise one plain
 * line per 10% (a redrawn bar in a log file is just noise).
 */
export class Progress {
  private lastDecile = 0;
  private lastDraw = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, force = false): void {
    if (this.total <= 0) return;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (!force && done < this.total && now - this.lastDraw < 50) return; // ~20 redraws/s at most
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((done / this.total) * width);
      const pct = Math.floor((done / this.total) * 100);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${pct}%`);
      return;
    }
    const decile = Math.floor((done / this.total) * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.label}: ${done}/${this.total}\n`);
    }
  }

  finish(): void {
    this.update(this.total, true);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
