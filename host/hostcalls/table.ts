// The host functions Envoy registers, numbered once. Every per-call counter (cumulative and per
// stream, host.hostCallCounts / StreamResult.hostCalls) and every restriction mask is an array
// indexed by this table; the implementations (the other files here) are looked up by name.
import { ENV_FUNCTIONS, PROXY_FUNCTIONS, PROXY_FUNCTIONS_BY_ABI, WASI_FUNCTIONS } from '../abi-imports.ts';

/** Host function names by counter index: every name of abi-imports.ts, once. */
export const HOSTCALL_NAMES: readonly string[] = [
  ...new Set<string>([
    ...Object.keys(PROXY_FUNCTIONS),
    ...Object.values(PROXY_FUNCTIONS_BY_ABI).flatMap((m) => Object.keys(m)),
    ...Object.keys(ENV_FUNCTIONS),
    ...Object.keys(WASI_FUNCTIONS),
  ]),
];
export const HOSTCALL_COUNT = HOSTCALL_NAMES.length;

const INDEX = new Map(HOSTCALL_NAMES.map((n, i) => [n, i]));

export function hostcallIndex(name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`unknown host function ${name}`);
  return i;
}

/** Counters by host function name (non-zero only). */
export function countsByName(counts: Int32Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) out[HOSTCALL_NAMES[i]!] = counts[i]!;
  return out;
}

/** A host function as the module calls it (pointers arrive as signed i32, i64 as bigint). */
export type HostFunction = (...args: never[]) => number | void;
/** One family's implementations, by host function name. */
export type HostFunctions = Record<string, HostFunction>;
