// The failures the CLI reports as one clear message instead of a stack trace; program.ts maps
// them to exit codes. Everything else that reaches program.ts is a bug and is shown with its stack.

/** A failure the CLI reports as one clear message and a non-zero exit. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly details: string[] = []) {
    super(message);
    this.name = 'CliError';
  }
}

/** A problem with the files themselves (not the plugin's verdict on the configuration). */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}
