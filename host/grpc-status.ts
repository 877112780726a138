// gRPC status as Envoy derives it for `response.grpc_status` and Istio's grpc_response_status label.
import type { HeaderMap } from './header-maps.ts';

/** Grpc::Utility::httpToGrpcStatus: the status a gRPC client sees for an HTTP error without grpc-status. */
export function httpToGrpcStatus(code: number): number {
  switch (code) {
    case 400: return 13;
    case 401: return 16;
    case 403: return 7;
    case 404: return 12;
    case 429: case 502: case 503: case 504: return 14;
    default: return 2;
  }
}

/** The raw `grpc-status` value of a header or trailer map; undefined when absent or empty. */
export function grpcStatusHeader(map: HeaderMap | null): string | undefined {
  const v = map?.get('grpc-status');
  return v === undefined || v === '' ? undefined : v;
}
