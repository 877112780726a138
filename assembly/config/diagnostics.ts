// Configuration problems, each tied to the JSON path of the value at fault
// (e.g. `routes[3].path: unclosed '{' at column 8`). Errors reject the configuration
// (proxy_on_configure returns false); warnings are logged and the configuration is used.

export class Diagnostic {
  constructor(public path: string, public message: string) {}

  toString(): string {
    return this.path.length > 0 ? this.path + ": " + this.message : this.message;
  }
}

export class Diagnostics {
  errors: Diagnostic[] = [];
  warnings: Diagnostic[] = [];

  error(path: string, message: string): void {
    this.errors.push(new Diagnostic(path, message));
  }

  warn(path: string, message: string): void {
    this.warnings.push(new Diagnostic(path, message));
  }

  get ok(): bool {
    return this.errors.length == 0;
  }
}

// Paths are built for every route and list item read, so each is one allocation (`a + b + c`
// would make an intermediate string per `+`, and configure-time garbage stays until the end).

/** Joins a JSON path: `child("routes[3]", "path")` → `routes[3].path`. */
export function child(path: string, key: string): string {
  if (path.length == 0) return key;
  const out = __new(<usize>(path.length + 1 + key.length) << 1, idof<String>());
  memory.copy(out, changetype<usize>(path), <usize>path.length << 1);
  store<u16>(out + (<usize>path.length << 1), 0x2e /* . */);
  memory.copy(out + (<usize>(path.length + 1) << 1), changetype<usize>(key), <usize>key.length << 1);
  return changetype<string>(out);
}

/** `index("routes", 3)` → `routes[3]`. */
export function index(path: string, i: i32): string {
  let digits = 1;
  for (let v = i; v >= 10 || v <= -10; v /= 10) digits++;
  if (i < 0) digits++;
  const n = path.length + digits + 2;
  const out = __new(<usize>n << 1, idof<String>());
  memory.copy(out, changetype<usize>(path), <usize>path.length << 1);
  store<u16>(out + (<usize>path.length << 1), 0x5b /* [ */);
  let v = i;
  for (let k = n - 2; k > path.length; k--) {
    const d = v % 10;
    store<u16>(out + (<usize>k << 1), <u16>(0x30 + (d < 0 ? -d : d)));
    v /= 10;
  }
  if (i < 0) store<u16>(out + (<usize>(path.length + 1) << 1), 0x2d /* - */);
  store<u16>(out + (<usize>(n - 1) << 1), 0x5d /* ] */);
  return changetype<string>(out);
}
