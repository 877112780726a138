// Reads the request line (method, :path, and :authority when services are configured) from the
// proxy at request headers, with fallbacks that keep the filter working on proxies or streams
// where one source is missing. Each is copied into a buffer reused for every request of the VM (abi/host-memory.ts): the path is held once, as the
// bytes the host sent, and a long one makes no garbage. A value is valid until the next read.
import { getHeader, getHeaderInto, getPropertyInto, HeaderMapType, propertyPath } from "../abi/hostcalls";
import { HostBuffer } from "../abi/host-memory";
import { HeaderSource } from "../routes/request";

const METHOD_HEADER = String.UTF8.encode(":method");
const PATH_HEADER = String.UTF8.encode(":path");
const METHOD_PROPERTY = propertyPath("request.method");
const PATH_PROPERTY = propertyPath("request.path");
const AUTHORITY_HEADER = String.UTF8.encode(":authority");
const HOST_PROPERTY = propertyPath("request.host");
const METHOD = new HostBuffer(32);
const PATH = new HostBuffer(1024);
const AUTHORITY = new HostBuffer(256);

/** `:method`, else the `request.method` attribute, else empty (matches no method-restricted route). */
export function readRequestMethod(): HostBuffer {
  if (!getHeaderInto(HeaderMapType.RequestHeaders, METHOD_HEADER, METHOD)) getPropertyInto(METHOD_PROPERTY, METHOD);
  return METHOD;
}

/** `:path` (with query; split later), else the `request.path` attribute, else empty. */
export function readRequestPath(): HostBuffer {
  if (!getHeaderInto(HeaderMapType.RequestHeaders, PATH_HEADER, PATH)) getPropertyInto(PATH_PROPERTY, PATH);
  return PATH;
}

/** `:authority` (host[:port]), else the `request.host` attribute, else empty. Read only when services are configured. */
export function readRequestAuthority(): HostBuffer {
  if (!getHeaderInto(HeaderMapType.RequestHeaders, AUTHORITY_HEADER, AUTHORITY)) getPropertyInto(HOST_PROPERTY, AUTHORITY);
  return AUTHORITY;
}

export class HostRequestHeaders extends HeaderSource {
  header(name: ArrayBuffer): ArrayBuffer | null {
    return getHeader(HeaderMapType.RequestHeaders, name);
  }
}
