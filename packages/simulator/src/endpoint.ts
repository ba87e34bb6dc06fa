import { isIP } from 'node:net';

/**
 * Checks a CSMS endpoint URL and returns it without a trailing slash. A load generator pointed at the wrong
 * host is a denial-of-service tool, so only loopback hosts are accepted unless `allowRemote` is set.
 * Host names other than `localhost` are refused rather than resolved: a name that resolves to loopback
 * today may not tomorrow.
 */
export function checkEndpoint(url: string, allowRemote = false): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointError(`invalid URL: ${url}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new EndpointError(`the URL must start with ws:// or wss://, got ${parsed.protocol}//`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new EndpointError('the URL must not have a query or fragment (the station identity is appended)');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new EndpointError('put no credentials in the URL; use the station passwords option');
  }
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new EndpointError(
      `refusing to load a non-loopback host (${parsed.hostname}); pass allowRemote (--allow-remote) if intended`,
    );
  }
  return parsed.href.replace(/\/+$/, '');
}

/** The URL a station connects to: the endpoint plus its identity as the last path segment (OCPP-J). */
export function stationUrl(endpoint: string, identity: string): string {
  return `${endpoint}/${encodeURIComponent(identity)}`;
}

/** localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 (`hostname` as URL gives it, brackets allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  // WHATWG URL normalises IPv6 hosts: ::1, and IPv4-mapped 127.x.y.z as ::ffff:7fxx:yyzz.
  if (isIP(host) === 6) return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  return false;
}

/** A refused endpoint (the message says why). */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}
