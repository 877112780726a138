// Where a WasmPlugin the CLI writes fetches the module from (`spec.url`) and the digest Istio
// checks it against (`spec.sha256`). The digest is computed from the module this installation
// carries (build/route-metrics.wasm, or --wasm), so a generated manifest is deployable as it is
// once the image is in a registry. What the CLI cannot know (the registry owner, a module it does
// not have) is left as a marked placeholder, and every placeholder is reported by field name.
import { existsSync, readFileSync } from 'node:fs';
import { imageOf } from './oci/package-artifacts.ts';
import { sha256Hex } from './oci/oci-layer.ts';
import { CliError } from './errors.ts';
import { DEFAULT_WASM, PACKAGE_JSON } from './paths.ts';

/** A value the CLI wrote that the user has to replace (or a field it had to leave out). */
export interface Placeholder {
  /** Field path in the manifest, e.g. "spec.url". */
  field: string;
  /** The value written, or null when the field was left out. */
  value: string | null;
  /** What to do about it, one sentence. */
  fix: string;
}

export interface PluginSource {
  url: string;
  /** Hex digest for `spec.sha256`; undefined when no module was there to take it from. */
  sha256?: string;
  placeholders: Placeholder[];
  /** How the digest was obtained, for a note on stderr. */
  notes: string[];
}

export interface PluginSourceOptions {
  url?: string;
  sha256?: string;
  /** The module to take the digest of (default build/route-metrics.wasm). */
  wasm?: string;
}

/** Marks the part of the default url only the user knows; uppercase is invalid in an OCI repository, so it never pulls by accident. */
export const OWNER_PLACEHOLDER = 'OWNER';

interface PackageJson {
  version: string;
  repository?: string | { url?: string };
}

/** The GitHub owner from package.json `repository` (github:owner/x, https://github.com/owner/x…), lowercased as ghcr.io wants it. */
export function githubOwner(repository: PackageJson['repository']): string | undefined {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  const m = raw ? /^(?:github:|(?:git\+)?(?:https?|ssh|git):\/\/(?:git@)?github\.com\/|git@github\.com:)([A-Za-z0-9-]+)\//.exec(raw) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The image the release workflow publishes: oci://ghcr.io/<owner>/route-metrics:<version>. */
export function releaseImageUrl(pkg: PackageJson = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'))): { url: string; ownerKnown: boolean } {
  const owner = githubOwner(pkg.repository);
  return { url: `oci://ghcr.io/${owner ?? OWNER_PLACEHOLDER}/route-metrics:${pkg.version}`, ownerKnown: owner !== undefined };
}

/** oci:// (or no scheme, which Istio reads as OCI) → the image manifest digest; http(s):// and file:// → the module's own sha256. */
export function digestKind(url: string): 'manifest' | 'module' {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'oci' ? 'manifest' : 'module';
}

function normaliseSha256(text: string): string {
  const hex = text.trim().replace(/^sha256:/, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new CliError(`--sha256 ${JSON.stringify(text)}: expected 64 hex digits (optionally prefixed sha256:)`, 2);
  return hex;
}

export async function resolvePluginSource(opts: PluginSourceOptions): Promise<PluginSource> {
  const placeholders: Placeholder[] = [];
  const notes: string[] = [];
  let url = opts.url;
  if (url === undefined) {
    const release = releaseImageUrl();
    url = release.url;
    if (!release.ownerKnown) {
      placeholders.push({ field: 'spec.url', value: url, fix: `replace ${OWNER_PLACEHOLDER} with the owner of the ghcr.io image the release workflow pushed, or pass --url` });
    }
  }
  const kind = digestKind(url);
  if (opts.sha256 !== undefined) return { url, sha256: normaliseSha256(opts.sha256), placeholders, notes };

  const wasmPath = opts.wasm ?? DEFAULT_WASM;
  if (!existsSync(wasmPath)) {
    placeholders.push({ field: 'spec.sha256', value: null, fix: `left out: no module at ${wasmPath} to take the digest of (run \`npm run build\`, or pass --wasm or --sha256); without it Istio does not verify the module` });
    return { url, placeholders, notes };
  }
  const wasm = new Uint8Array(readFileSync(wasmPath));
  if (kind === 'module') {
    notes.push(`spec.sha256: sha256 of ${wasmPath} (the module bytes, as Istio checks them for an ${url.split(':')[0]}:// url)`);
    return { url, sha256: sha256Hex(wasm), placeholders, notes };
  }
  const { image } = await imageOf(wasm, process.env.SOURCE_DATE_EPOCH);
  notes.push(`spec.sha256: manifest digest of the OCI image of ${wasmPath}, as \`route-metrics package\` and the release workflow build it (an image built otherwise needs --sha256)`);
  return { url, sha256: image.manifest.digest.slice('sha256:'.length), placeholders, notes };
}

/** One stderr line per placeholder: `placeholder spec.url = "…": <what to do>`. */
export function placeholderLines(placeholders: Placeholder[]): string[] {
  return placeholders.map((p) => `placeholder ${p.field}${p.value === null ? ' (not set)' : ` = ${JSON.stringify(p.value)}`}: ${p.fix}`);
}
