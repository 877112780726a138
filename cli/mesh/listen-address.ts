// host:port parsing for --listen / --admin / --app, and the loopback rule: the dev proxy is a
// development tool with no authentication, so it binds to loopback only unless --allow-remote.
import { isIP } from 'node:net';
import { CliError } from '../errors.ts';

export interface Address {
  host: string;
  port: number;
}

/** "127.0.0.1:15001", "[::1]:0", "localhost:9898", ":15001" and "15001" (host 127.0.0.1). */
export function parseAddress(text: string, flag: string): Address {
  const t = text.trim();
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (v6) {
    host = v6[1]!;
    port = v6[2]!;
  } else if (/^\d+$/.test(t)) {
    port = t;
  } else {
    const i = t.lastIndexOf(':');
    if (i < 0) throw new CliError(`${flag} ${JSON.stringify(text)}: expected host:port, e.g. 127.0.0.1:15001`, 2);
    if (i > 0) host = t.slice(0, i);
    port = t.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new CliError(`${flag} ${JSON.stringify(text)}: port must be 0-65535`, 2);
  return { host, port: n };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export function requireLoopback(a: Address, flag: string, allowRemote: boolean): void {
  if (!allowRemote && !isLoopback(a.host)) {
    throw new CliError(`${flag} ${a.host}:${a.port}: refusing to listen on a non-loopback address without --allow-remote (the dev proxy has no authentication)`, 2);
  }
}

export const formatAddress = (a: Address) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

/**
 * The error for a listener that could not bind, naming the option (and environment variable) that
 * owns the address. A port in use gets the way out: another port, or port 0 for any free one.
 */
export function listenFailure(e: unknown, flag: string, envName: string): Error {
  const code = (e as { code?: unknown }).code;
  if (!(e instanceof Error) || typeof code !== 'string') return e as Error;
  const { host = '127.0.0.1', port = 0 } = e as { host?: string; port?: number };
  const at = formatAddress({ host, port });
  const anyPort = formatAddress({ host, port: 0 });
  if (code === 'EADDRINUSE') {
    return new CliError(`${flag} ${at}: address already in use (EADDRINUSE): another process holds the port (an earlier route-metrics serve?). ` +
      `Stop it, choose another port with ${flag} (or ${envName}), or use ${flag} ${anyPort} for any free port (the chosen port is printed).`);
  }
  return new CliError(`${flag} ${at}: ${e.message.replace(/^cannot listen on \S+: /, '')}. Choose another address with ${flag} (or ${envName}).`);
}
