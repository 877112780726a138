// Reading an OpenAPI 3.x / Swagger 2.0 description for `route-metrics openapi`:
//   - local files only (JSON or YAML, gzip-compressed or not: real descriptions are often
//     shipped as .json.gz); a URL is refused before anything is read;
//   - `example` / `examples` values are removed before @apidevtools/swagger-parser sees the
//     document. They are data, and real descriptions put JSON that looks like a reference in them
//     (GitHub's SCIM examples carry `"$ref": "https://api.github.com/scim/v2/…"`), which the parser
//     would otherwise try to resolve. The conversion never reads examples;
//   - validated (schema and spec rules) and dereferenced by the library, or, with validate: false,
//     only parsed, with the path items that are references resolved: the conversion reads paths,
//     path items, operations and servers, nothing else.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { parse as parseYaml } from 'yaml';

/** A problem with the argument itself (not with the file's content): a usage error. */
export class SpecArgumentError extends Error {}

/** The spec could not be read, parsed or validated; `details` are the library's own lines. */
export class SpecLoadError extends Error {
  constructor(message: string, readonly details: string[] = []) {
    super(message);
  }
}

export interface LoadOptions {
  /** false: no schema or spec validation, only what the conversion needs is resolved. */
  validate?: boolean;
}

const URL_ARGUMENT = /^[a-z][a-z0-9+.-]*:\/\//i;
const GZIP_MAGIC = [0x1f, 0x8b];

/** The document in `file`, parsed (not validated). */
export function readSpecFile(file: string): Record<string, unknown> {
  if (URL_ARGUMENT.test(file)) {
    throw new SpecArgumentError(`${file}: openapi reads local files only (download the description first, e.g. curl -fLo spec.json '${file}')`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecLoadError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new SpecLoadError(`${file}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  const text = bytes.toString('utf8');
  let doc: unknown;
  try {
    // JSON.parse is much faster on the multi-megabyte JSON descriptions; YAML is a superset anyway.
    doc = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 });
  } catch (e) {
    throw new SpecLoadError(`${file}: not JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SpecLoadError(`${file}: not an OpenAPI or Swagger document (expected a mapping at the top level)`);
  }
  return doc as Record<string, unknown>;
}

// Objects whose keys are names chosen by the author (a property called "example", a schema called
// "examples"), not OpenAPI keywords: their keys are never dropped.
const NAME_MAPS = new Set([
  'paths', 'definitions', 'parameters', 'responses', 'securityDefinitions', 'properties', 'patternProperties',
  'headers', 'schemas', 'requestBodies', 'securitySchemes', 'links', 'callbacks', 'content', 'encoding',
  'variables', 'scopes', 'mapping', '$defs', 'dependentSchemas', 'pathItems', 'webhooks',
]);

/** Removes every `example` and `examples` keyword (in place). Returns how many were removed. */
export function removeExamples(node: unknown, keysAreNames = false): number {
  if (Array.isArray(node)) return node.reduce((n: number, item) => n + removeExamples(item), 0);
  if (typeof node !== 'object' || node === null) return 0;
  const obj = node as Record<string, unknown>;
  let removed = 0;
  for (const key of Object.keys(obj)) {
    if (!keysAreNames && (key === 'example' || key === 'examples')) {
      delete obj[key];
      removed++;
      continue;
    }
    // Extensions are free-form data: nothing in them is a keyword.
    if (!keysAreNames && key.startsWith('x-')) continue;
    removed += removeExamples(obj[key], !keysAreNames && NAME_MAPS.has(key));
  }
  return removed;
}

export type SpecFormat = { name: 'OpenAPI' | 'Swagger'; version: string };

/** "OpenAPI 3.0.3" / "Swagger 2.0", from the version field; null when there is none. */
export function specFormat(doc: Record<string, unknown>): SpecFormat | null {
  if (typeof doc.openapi === 'string') return { name: 'OpenAPI', version: doc.openapi };
  if (typeof doc.swagger === 'string') return { name: 'Swagger', version: doc.swagger };
  return null;
}

const MAX_DETAIL_LINES = 20;

/** The library's error under a heading that names the file and the format it was checked as. */
function validationError(file: string, doc: Record<string, unknown>, e: Error): SpecLoadError {
  const format = specFormat(doc);
  const what = format ? `${format.name} ${format.version}` : 'OpenAPI';
  const lines = e.message.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  let heading: string;
  let details: string[];
  if (/^Swagger schema validation failed\.?$/.test(lines[0] ?? '')) {
    // The library says "Swagger" whatever the format; the details (JSON pointers) are its own.
    const schema = format?.name === 'OpenAPI' ? `the OpenAPI ${format.version.split('.').slice(0, 2).join('.')} schema` : 'the Swagger 2.0 schema';
    heading = `${file}: not a valid ${what} document (checked against ${schema}):`;
    details = lines.slice(1);
  } else if (/^Validation failed\. /.test(lines[0] ?? '')) {
    heading = `${file}: not a valid ${what} document: ${lines[0]!.replace(/^Validation failed\. /, '')}`;
    details = lines.slice(1);
  } else {
    heading = `${file}: ${lines[0] ?? e.name}`;
    details = lines.slice(1);
  }
  if (details.length > MAX_DETAIL_LINES) details = [...details.slice(0, MAX_DETAIL_LINES), `  … ${details.length - MAX_DETAIL_LINES} more`];
  details.push('(--no-validate converts it without these checks)');
  return new SpecLoadError(heading, details);
}

const PARSER_OPTIONS = { resolve: { http: false } } as const;

/** Loads `file` for the conversion; see the header for what is and is not resolved. */
export async function loadOpenApi(file: string, opts: LoadOptions = {}): Promise<OpenAPI.Document> {
  const doc = readSpecFile(file);
  if (specFormat(doc) === null) {
    throw new SpecLoadError(`${file}: not an OpenAPI or Swagger document (no "openapi" or "swagger" version field)`);
  }
  removeExamples(doc);
  if (opts.validate ?? true) {
    try {
      // validate() dereferences first; external references are read from files only (no network).
      return await new SwaggerParser().validate(file, doc as unknown as OpenAPI.Document, PARSER_OPTIONS);
    } catch (e) {
      throw validationError(file, doc, e as Error);
    }
  }
  const parser = new SwaggerParser();
  let api: OpenAPI.Document;
  try {
    // resolve() checks the version fields and reads external files; nothing is dereferenced.
    const refs = await parser.resolve(file, doc as unknown as OpenAPI.Document, PARSER_OPTIONS);
    api = parser.api;
    for (const [path, item] of Object.entries(api.paths ?? {})) {
      const ref = (item as { $ref?: unknown } | undefined)?.$ref;
      if (typeof ref === 'string') (api.paths as Record<string, unknown>)[path] = { ...(refs.get(ref) as object), ...withoutRef(item as object) };
    }
  } catch (e) {
    const lines = (e as Error).message.split('\n');
    throw new SpecLoadError(`${file}: ${lines[0]}`, lines.slice(1, 1 + MAX_DETAIL_LINES));
  }
  return api;
}

function withoutRef(item: object): object {
  const { $ref: _, ...rest } = item as Record<string, unknown>;
  return rest;
}
