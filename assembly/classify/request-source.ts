// Reads the request line (method, :path) from the proxy at request headers, with fallbacks that
// keep the filter working on proxies or streams where one source is missing. Both are copied into
// buffers the caller reuses for every request (abi/host-memory.ts): the path is held once, as the
// bytes the host sent, and a long one makes no garbage.
import { getHeader, getHeaderInto, getPropertyInto, HeaderMapType, propertyPath } from "../abi/hostcalls";
import { HostBuffer } from "../abi/host-memory";
import { HeaderSource } from "../routes/request";

const METHOD_HEADER = String.UTF8.encode(":method");
const PATH_HEADER = String.UTF8.encode(":path");
const METHOD_PROPERTY = propertyPath("request.method");
const PATH_PROPERTY = propertyPath("request.path");

/** `:method`, else the `request.method` attribute, else empty (matches no method-restricted route). */
export function readRequestMethod(into: HostBuffer): void {
  if (!getHeaderInto(HeaderMapType.RequestHeaders, METHOD_HEADER, into)) getPropertyInto(METHOD_PROPERTY, into);
}

/** `:path` (with query; split later), else the `request.path` attribute, else empty. */
export function readRequestPath(into: HostBuffer): void {
  if (!getHeaderInto(HeaderMapType.RequestHeaders, PATH_HEADER, into)) getPropertyInto(PATH_PROPERTY, into);
}

export class HostRequestHeaders extends HeaderSource {
  header(name: ArrayBuffer): ArrayBuffer | null {
    return getHeader(HeaderMapType.RequestHeaders, name);
  }
}
