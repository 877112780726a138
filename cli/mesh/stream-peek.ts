// The header maps as the filter left them (a filter may add, replace or remove headers before
// they are forwarded) and whether the stream was reset, with the caller's values as fallbacks.
import type { HeaderPairs, HttpStream } from '../../host/index.ts';

/** Request headers as they would be forwarded upstream now, or `fallback`. */
export function forwardedRequestHeaders(s: HttpStream, fallback: HeaderPairs): HeaderPairs {
  return s.forwardedRequestHeaders ?? fallback;
}

/** Response headers as they would go downstream now, or `fallback`. */
export function downstreamResponseHeaders(s: HttpStream, fallback: HeaderPairs): HeaderPairs {
  return s.downstreamResponseHeaders ?? fallback;
}

export function wasReset(s: HttpStream): boolean {
  return s.wasReset;
}
