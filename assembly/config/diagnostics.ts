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

/** Joins a JSON path: `child("routes[3]", "path")` → `routes[3].path`. */
export function child(path: string, key: string): string {
  return path.length == 0 ? key : path + "." + key;
}

export function index(path: string, i: i32): string {
  return path + "[" + i.toString() + "]";
}
