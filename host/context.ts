// Host-side contexts (proxy-wasm-cpp-host ContextBase / envoy Context): the VM context (id 0),
// root contexts, and (in stream-context.ts) HTTP stream contexts. Hostcalls act on "the current
// context, or the effective one" (exports.cc contextOrEffectiveContext) through this interface.
// A context knows its VM's configuration bytes, not the VM: the VM holds contexts, so this module
// stays below vm.ts.
import type { HeaderMap } from './header-maps.ts';
import type { StreamView } from './properties.ts';
import { BufferType, StreamType, WasmResult } from './abi.ts';
import { EMPTY_BYTES } from './bytes.ts';

export const CTX_VM = 0;
export const CTX_ROOT = 1;
export const CTX_STREAM = 2;

export abstract class ContextBase {
  /** in_vm_context_created_: proxy_on_context_create ran (or the module does not export it). */
  created = false;
  /** Envoy's access-log phase (on_log): header maps are the read-only access-log copies. */
  accessLogPhase = false;
  /** Module callbacks invoked on this context, in order. */
  readonly callbacks: string[] = [];
  /** Per-context host call counts (streams only). */
  counts: Int32Array | null = null;

  constructor(
    readonly id: number,
    readonly kind: typeof CTX_VM | typeof CTX_ROOT | typeof CTX_STREAM,
    /** VmConfiguration: readable from every context. */
    protected readonly vmConfig: Uint8Array,
  ) {}

  /** StreamInfo view for properties; null without a stream (root/VM context). */
  streamView(): StreamView | null {
    return null;
  }

  /** Envoy Context::getMap (mutable map, used by add/replace/remove/set_pairs/get_size). */
  getMap(_type: number): HeaderMap | null {
    return null;
  }

  /** Envoy Context::getConstMap (used by get value/pairs). */
  getConstMap(_type: number): HeaderMap | null {
    return null;
  }

  onHeadersModified(_type: number): void {}

  /**
   * Envoy Context::getBuffer: null → NotFound. Body and network buffers of a context without data
   * are "found" with size 0 (buffer_.set(nullptr)); PluginConfiguration only while the plugin is
   * being configured (temp_plugin_).
   */
  getBuffer(type: number): Uint8Array | null {
    switch (type) {
      case BufferType.VmConfiguration:
        return this.vmConfig;
      case BufferType.PluginConfiguration:
        return null;
      case BufferType.HttpCallResponseBody:
        return null;
      default:
        return EMPTY_BYTES;
    }
  }

  /** Buffer::copyFrom on a buffer without a mutable instance → BadArgument. */
  setBuffer(type: number, _start: number, _length: number, _data: Uint8Array): number {
    return this.getBuffer(type) === null ? WasmResult.NotFound : WasmResult.BadArgument;
  }

  /** Context::setProperty without StreamInfo → NotFound. */
  setProperty(_path: string, _value: Uint8Array): number {
    return WasmResult.NotFound;
  }

  /** Context::continueStream without stream callbacks: Request/Response/Downstream Ok, Upstream Unimplemented. */
  continueStream(type: number): number {
    return type === StreamType.Upstream ? WasmResult.Unimplemented : WasmResult.Ok;
  }

  closeStream(_type: number): number {
    return WasmResult.Ok;
  }

  /** Context::sendLocalResponse: deferred; only streams (decoder callbacks) act on it. */
  sendLocalResponse(_status: number, _body: Uint8Array, _headers: [string, string][], _grpc: number, _details: string): void {}

  /** Context::getConfiguration (ABI 0.1.0 proxy_get_configuration). */
  getConfiguration(): Uint8Array {
    return this.vmConfig;
  }

  /** A trap happened while one of this context's callbacks ran (streams record it in their result). */
  noteTrap(_message: string): void {}
}

/** The VM context (id 0): current during malloc and _initialize/_start. */
export class VmContext extends ContextBase {
  constructor(vmConfig: Uint8Array) {
    super(0, CTX_VM, vmConfig);
  }
}

/** A root context: one per plugin configuration (Envoy allocates a new one per config). */
export class RootContext extends ContextBase {
  /** temp_plugin_ is set: PluginConfiguration readable (on_context_create of the root, on_configure). */
  configuring = false;
  /** proxy_on_done returned false: waiting for proxy_done. */
  pendingDone = false;
  deleted = false;
  tickPeriodMs = 0;

  constructor(id: number, vmConfig: Uint8Array, public pluginConfig: Uint8Array) {
    super(id, CTX_ROOT, vmConfig);
  }

  override getBuffer(type: number): Uint8Array | null {
    if (type === BufferType.PluginConfiguration) return this.configuring ? this.pluginConfig : null;
    return super.getBuffer(type);
  }

  override getConfiguration(): Uint8Array {
    return this.configuring ? this.pluginConfig : this.vmConfig;
  }
}
