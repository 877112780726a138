// WASI host functions, registered under wasi_unstable and wasi_snapshot_preview1 (proxy-wasm-cpp-host
// src/exports.cc wasi_unstable_*): stdout/stderr go to the log (fd 1 → info, fd 2 → error), the
// environment is the VM's (Istio vmConfig.env), clocks are the host's; there is no filesystem and
// no sockets, and proc_exit only logs.
import { randomFillSync } from 'node:crypto';
import { LogLevel } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

const WASI_ERRNO = { SUCCESS: 0, BADF: 8, NOTDIR: 20, FAULT: 21, INVAL: 28, NOENT: 44, NOSYS: 52, NOTSUP: 58 } as const;
const RANDOM_GET_MAX = 64 * 1024;
const STDOUT = 1;
const STDERR = 2;
/** WASI clockid. */
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;

export function wasiHostcalls(vm: WasmVm): HostFunctions {
  const host = vm.host;
  const writev = (fd: number, iovs: number, iovsLen: number): number | string => {
    // fd 1 → info, fd 2 → error; anything else EBADF. Returns the text or an errno.
    if (fd !== STDOUT && fd !== STDERR) return WASI_ERRNO.BADF;
    const m = vm.memory();
    let s = '';
    for (let i = 0; i < iovsLen; i++) {
      const at = iovs + i * 8;
      if (!m.inBounds(at, 8)) return WASI_ERRNO.FAULT;
      const buf = m.u32(at);
      const len = m.u32(at + 4);
      if (len !== 0) {
        const part = m.str(buf, len);
        if (part === undefined) return WASI_ERRNO.FAULT;
        s += part;
      }
    }
    return s;
  };
  const logWritten = (fd: number, s: string): number => {
    const written = Buffer.byteLength(s, 'utf8');
    if (written !== 0) {
      const text = s.endsWith('\n') ? s.slice(0, -1) : s;
      const level = fd === STDOUT ? LogLevel.Info : LogLevel.Error;
      if (level >= host.minLogLevel) vm.logFromPlugin(level, text);
    }
    return written;
  };
  /** Operations that succeed on stdout/stderr and fail on every other fd. */
  const onlyStdio = (fd: number): number => (fd === STDOUT || fd === STDERR ? WASI_ERRNO.SUCCESS : WASI_ERRNO.BADF);

  return {
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      const r = writev(fd >>> 0, iovs >>> 0, iovsLen >>> 0);
      if (typeof r === 'number') return r;
      const written = logWritten(fd >>> 0, r);
      return vm.memory().setU32(nwrittenPtr >>> 0, written) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_read(): number { return WASI_ERRNO.NOSYS; },
    fd_seek(): number { vm.logFromHost('wasi_unstable fd_seek'); return 0; },
    fd_close(): number { vm.logFromHost('wasi_unstable fd_close'); return 0; },
    fd_fdstat_get(fd: number, statOut: number): number {
      fd >>>= 0;
      if (fd !== STDOUT && fd !== STDERR) return WASI_ERRNO.BADF;
      const m = vm.memory();
      statOut >>>= 0;
      if (m.inBounds(statOut, 24)) {
        m.u8.fill(0, statOut, statOut + 24);
        m.dv.setUint32(statOut + 8, 64, true); // fs_rights_base = FD_WRITE
      }
      return WASI_ERRNO.SUCCESS;
    },
    fd_fdstat_set_flags(): number { return WASI_ERRNO.NOSYS; },
    fd_fdstat_set_rights(fd: number): number { return onlyStdio(fd >>> 0); },
    environ_get(arrayPtr: number, bufPtr: number): number {
      const m = vm.memory();
      let a = arrayPtr >>> 0;
      let b = bufPtr >>> 0;
      for (const [k, v] of host.wasiEnv) {
        if (!m.setU32(a, b)) return WASI_ERRNO.FAULT;
        const s = `${k}=${v}\0`;
        const len = Buffer.byteLength(s, 'utf8');
        if (!m.inBounds(b, len)) return WASI_ERRNO.FAULT;
        m.buf.write(s, b, 'utf8');
        b += len;
        a += 4;
      }
      return WASI_ERRNO.SUCCESS;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      const m = vm.memory();
      if (!m.setU32(countPtr >>> 0, host.wasiEnv.length)) return WASI_ERRNO.FAULT;
      let size = 0;
      for (const [k, v] of host.wasiEnv) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
      return m.setU32(sizePtr >>> 0, size) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    args_get(): number { return WASI_ERRNO.SUCCESS; },
    args_sizes_get(argcPtr: number, bufSizePtr: number): number {
      const m = vm.memory();
      return m.setU32(argcPtr >>> 0, 0) && m.setU32(bufSizePtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    clock_time_get(clockId: number, _precision: bigint, resultPtr: number): number {
      clockId >>>= 0;
      let v: bigint;
      if (clockId === CLOCK_REALTIME) v = host.now();
      else if (clockId === CLOCK_MONOTONIC) v = host.monotonic();
      else return WASI_ERRNO.NOTSUP;
      return vm.memory().setU64(resultPtr >>> 0, v) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    clock_res_get(clockId: number, resultPtr: number): number {
      clockId >>>= 0;
      if (clockId !== CLOCK_REALTIME && clockId !== CLOCK_MONOTONIC) return WASI_ERRNO.NOTSUP;
      return vm.memory().setU64(resultPtr >>> 0, 1) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_advise(): number { return WASI_ERRNO.SUCCESS; },
    fd_allocate(fd: number): number { return onlyStdio(fd >>> 0); },
    fd_datasync(fd: number): number { return onlyStdio(fd >>> 0); },
    fd_filestat_set_size(fd: number): number { return onlyStdio(fd >>> 0); },
    fd_filestat_set_times(fd: number): number { return onlyStdio(fd >>> 0); },
    fd_pread(): number { return WASI_ERRNO.NOSYS; },
    fd_pwrite(fd: number, iovs: number, iovsLen: number, _offset: bigint, nwrittenPtr: number): number {
      fd >>>= 0;
      if (fd !== STDOUT && fd !== STDERR) return WASI_ERRNO.BADF;
      const r = writev(fd, iovs >>> 0, iovsLen >>> 0);
      if (typeof r === 'number') return r;
      const written = logWritten(fd, r);
      return vm.memory().setU32(nwrittenPtr >>> 0, written) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_readdir(_fd: number, _buf: number, _len: number, _cookie: bigint, nreadPtr: number): number {
      return vm.memory().setU32(nreadPtr >>> 0, 0) ? WASI_ERRNO.NOTDIR : WASI_ERRNO.FAULT;
    },
    fd_renumber(fd: number, to: number): number {
      fd >>>= 0;
      to >>>= 0;
      if ((fd !== STDOUT && fd !== STDERR) || (to !== STDOUT && to !== STDERR)) return WASI_ERRNO.BADF;
      return WASI_ERRNO.NOTSUP;
    },
    fd_sync(fd: number): number { return onlyStdio(fd >>> 0); },
    fd_tell(fd: number, retPtr: number): number {
      fd >>>= 0;
      if (fd !== STDOUT && fd !== STDERR) return WASI_ERRNO.BADF;
      return vm.memory().setU64(retPtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    path_create_directory(): number { return WASI_ERRNO.NOTSUP; },
    path_filestat_set_times(): number { return WASI_ERRNO.NOTSUP; },
    path_link(): number { return WASI_ERRNO.NOTSUP; },
    path_readlink(_fd: number, _p: number, _pl: number, _b: number, _bl: number, retPtr: number): number {
      return vm.memory().setU32(retPtr >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    path_remove_directory(): number { return WASI_ERRNO.NOTSUP; },
    path_rename(): number { return WASI_ERRNO.NOTSUP; },
    path_symlink(): number { return WASI_ERRNO.NOTSUP; },
    path_unlink_file(): number { return WASI_ERRNO.NOTSUP; },
    sock_accept(_fd: number, _flags: number, retPtr: number): number {
      return vm.memory().setU32(retPtr >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    sock_recv(_fd: number, _d: number, _dl: number, _f: number, ret0: number, ret1: number): number {
      const m = vm.memory();
      ret1 >>>= 0;
      if (!m.setU32(ret0 >>> 0, 0) || !m.inBounds(ret1, 2)) return WASI_ERRNO.FAULT;
      m.dv.setUint16(ret1, 0, true);
      return WASI_ERRNO.NOTSUP;
    },
    sock_send(_fd: number, _d: number, _dl: number, _f: number, ret0: number): number {
      return vm.memory().setU32(ret0 >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    sock_shutdown(): number { return WASI_ERRNO.NOTSUP; },
    random_get(ptr: number, len: number): number {
      len >>>= 0;
      if (len > RANDOM_GET_MAX) return WASI_ERRNO.INVAL;
      if (len === 0) return WASI_ERRNO.SUCCESS;
      const m = vm.memory();
      ptr >>>= 0;
      if (!m.inBounds(ptr, len)) return WASI_ERRNO.FAULT;
      randomFillSync(m.u8, ptr, len);
      return WASI_ERRNO.SUCCESS;
    },
    sched_yield(): number { return WASI_ERRNO.SUCCESS; },
    poll_oneoff(_in: number, _out: number, _n: number, neventsPtr: number): number {
      return vm.memory().setU32(neventsPtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    proc_exit(code: number): void {
      // exports.cc: only logs (Context::error → trace) and returns; the module's next
      // instruction (AssemblyScript: unreachable) traps.
      vm.logFromHost('wasi_unstable proc_exit');
      host.noteProcExit(vm, code >>> 0);
    },
    path_open(): number { return WASI_ERRNO.NOENT; },
    fd_prestat_get(): number { return WASI_ERRNO.BADF; },
    fd_prestat_dir_name(): number { return WASI_ERRNO.NOSYS; },
    path_filestat_get(): number { return WASI_ERRNO.NOTSUP; },
    fd_filestat_get(): number { return WASI_ERRNO.BADF; },
  };
}
