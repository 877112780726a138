// Configuration problems, each tied to the JSON path of the value at fault
// (e.g. `routes[3].path: unclosed '{' at column 8`), and what the accept policy dropped because of
// them. Warnings never change the configuration. Errors are of two kinds:
// - `error()`: the value at fault is unusable, so the part holding it (a route, an attribute, a
//   match, a setting) is dropped — the readers check `failedSince(mark)` to decide;
// - `ignored()`: the value is left out and its part kept (an unknown key).
// Both count as errors: `"strict": true` rejects on either, and route_config_errors counts both.

export class Diagnostic {
  constructor(public path: string, public message: string) {}

  toString(): string {
    return this.path.length > 0 ? this.path + ": " + this.message : this.message;
  }
}

export class Diagnostics {
  errors: Diagnostic[] = [];
  warnings: Diagnostic[] = [];
  /** JSON paths of the parts left out because of an error, in configuration order. */
  dropped: string[] = [];
  /** Set when nothing of the configuration could be used (invalid JSON, no recognisable form). */
  droppedAll: bool = false;
  /** Errors that make their part unusable (error() calls); ignored() does not count here. */
  private failures: i32 = 0;

  error(path: string, message: string): void {
    this.errors.push(new Diagnostic(path, message));
    this.failures++;
  }

  /** An error whose value is simply left out: the part holding it stays valid. */
  ignored(path: string, message: string): void {
    this.errors.push(new Diagnostic(path, message));
  }

  warn(path: string, message: string): void {
    this.warnings.push(new Diagnostic(path, message));
  }

  /** Records that the part at `path` is not used. */
  drop(path: string): void {
    this.dropped.push(path);
  }

  /** Records that the setting at `path` is not used and its default applies. */
  dropSetting(path: string): void {
    this.dropped.push(path + " (default used)");
  }

  dropAll(): void {
    this.droppedAll = true;
  }

  /** A position to compare with failedSince(): take it before reading a part. */
  mark(): i32 {
    return this.failures;
  }

  /** Whether an error made something unusable since `mark`. */
  failedSince(mark: i32): bool {
    return this.failures != mark;
  }

  get ok(): bool {
    return this.errors.length == 0;
  }

  /**
   * For a pass that runs after reading (config/native-regexes.ts): moves the errors recorded from
   * `errorsFrom` on, and the drops from `dropsFrom` on, to where reading would have recorded them —
   * the k-th goes right before the entry that was at `errorPositions[k]` (`dropPositions[k]`),
   * positions in non-decreasing order. The log then reads as if the pass had run while reading.
   */
  placeLate(errorsFrom: i32, errorPositions: i32[], dropsFrom: i32, dropPositions: i32[]): void {
    // Both are lists of references: one non-generic reorder serves them (it moves pointers only).
    reorder(changetype<string[]>(this.errors), errorsFrom, errorPositions);
    reorder(this.dropped, dropsFrom, dropPositions);
  }
}

/**
 * The positions of a list of `length` after moving list[from + k] before position positions[k]
 * (the items from `from` on without a position stay last); null when nothing moves.
 */
function interleaveOrder(length: i32, from: i32, positions: i32[]): Int32Array | null {
  if (from >= length || positions.length == 0) return null;
  const out = new Int32Array(length);
  let early = 0;
  let o = 0;
  for (let k = 0; k < positions.length && from + k < length; k++) {
    const at = min(positions[k], from);
    while (early < at) out[o++] = early++;
    out[o++] = from + k;
  }
  while (early < from) out[o++] = early++;
  for (let k = positions.length; from + k < length; k++) out[o++] = from + k; // positionless: stay last
  return out;
}

/**
 * Reorders `list` in place: list[0, from) with list[from + k] moved before position positions[k].
 * The items are held as plain addresses meanwhile: nothing here allocates but the two buffers,
 * and the minimal runtime collects only when asked (filter/configure-gc.ts), never inside.
 */
function reorder(list: string[], from: i32, positions: i32[]): void {
  const order = interleaveOrder(list.length, from, positions);
  if (order === null) return;
  const n = order.length;
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) unchecked((items[i] = <i32>changetype<usize>(list[i])));
  for (let i = 0; i < n; i++) unchecked((list[i] = changetype<string>(<usize>items[unchecked(order[i])])));
}

// Paths are built for list items read, so each is one allocation past the digits (`a + b + c`
// would make an intermediate string per `+`, and configure-time garbage stays until the end).

/** `a`, the character `open`, `b` and, unless 0, the character `close`, in one string. */
function joinPath(a: string, open: u16, b: string, close: u16): string {
  const an = <usize>a.length << 1;
  const bn = <usize>b.length << 1;
  const n = an + 2 + bn + (close != 0 ? 2 : 0);
  const out = __new(n, idof<String>());
  memory.copy(out, changetype<usize>(a), an);
  store<u16>(out + an, open);
  memory.copy(out + an + 2, changetype<usize>(b), bn);
  if (close != 0) store<u16>(out + n - 2, close);
  return changetype<string>(out);
}

/** Joins a JSON path: `child("routes[3]", "path")` → `routes[3].path`. */
export function child(path: string, key: string): string {
  return path.length == 0 ? key : joinPath(path, 0x2e /* . */, key, 0);
}

/** `index("routes", 3)` → `routes[3]`. */
export function index(path: string, i: i32): string {
  return joinPath(path, 0x5b /* [ */, i.toString(), 0x5d /* ] */);
}
