// Simulated Envoy proxy-wasm host: public entry point. See host/README.md.
export { SimulatedEnvoy, LoadError } from './envoy.ts';
export { HttpStream, type NewStreamOptions } from './stream.ts';
export { inspectModule, inspectCompiledModule, ModuleParseError, type ModuleInfo, type ImportInfo, type ExportInfo, type AbiVersion, type ValType } from './module-inspect.ts';
export { checkImports, checkExports, envoyLinkErrors, hostFunctionsFor, printValTypes } from './abi-imports.ts';
export { decodePairs, encodePairs } from './header-maps.ts';
export * from './types.ts';
