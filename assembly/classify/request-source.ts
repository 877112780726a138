// Reads the request line (method, :path) from the proxy at request headers, with fallbacks that
// keep the filter working on proxies or streams where one source is missing.
import { getHeader, getProperty, HeaderMapType, propertyPath } from "../abi/hostcalls";
import { HeaderSource } from "../routes/request";

const METHOD_HEADER = String.UTF8.encode(":method");
const PATH_HEADER = String.UTF8.encode(":path");
const METHOD_PROPERTY = propertyPath("request.method");
const PATH_PROPERTY = propertyPath("request.path");
const EMPTY = new ArrayBuffer(0);

/** `:method`, else the `request.method` attribute, else empty (matches no method-restricted route). */
export function requestMethod(): ArrayBuffer {
  let v = getHeader(HeaderMapType.RequestHeaders, METHOD_HEADER);
  if (v === null) v = getProperty(METHOD_PROPERTY);
  return v === null ? EMPTY : v;
}

/** `:path` (with query; split later), else the `request.path` attribute, else empty. */
export function requestPath(): ArrayBuffer {
  let v = getHeader(HeaderMapType.RequestHeaders, PATH_HEADER);
  if (v === null) v = getProperty(PATH_PROPERTY);
  return v === null ? EMPTY : v;
}

export class HostRequestHeaders extends HeaderSource {
  header(name: ArrayBuffer): ArrayBuffer | null {
    return getHeader(HeaderMapType.RequestHeaders, name);
  }
}
