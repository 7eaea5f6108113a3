import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';

/** Ports a source URL may name when none are configured (INGEST_ALLOWED_PORTS). */
const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443, 8080];

/** Which addresses and ports the importer may connect to. */
export interface AddressPolicy {
  /**
   * Allow loopback, private, link-local, unique-local and other non-public addresses (INGEST_ALLOW_PRIVATE):
   * for tests and intranet sources.
   * @default false
   */
  allowPrivate?: boolean;
  /**
   * Ports a URL may name (INGEST_ALLOWED_PORTS); a URL without a port uses 80 or 443.
   * @default {@link DEFAULT_ALLOWED_PORTS}
   */
  allowedPorts?: readonly number[];
  /**
   * Decides one resolved or literal address; replaces the public-only rule and `allowPrivate` (tests use it to
   * allow one loopback address and refuse another).
   */
  isAllowedAddress?: (address: string) => boolean;
  /** Name resolution, `dns.lookup` by default (tests map made-up names to chosen addresses). */
  lookup?: LookupFunction;
}

/** A connection the address policy refused: nothing was sent to `host`. */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  constructor(
    message: string,
    /** `address`: a non-public address (literal or resolved); `port`: a port not in the allowed list. */
    readonly rule: 'address' | 'port',
    /** The host as the URL names it (brackets of IPv6 removed). */
    readonly host: string,
    /** The refused address, for the `address` rule. */
    readonly address?: string,
    /** The refused port, for the `port` rule. */
    readonly port?: number,
  ) {
    super(message);
  }
}

/** Checks URLs and guards every connection of the fetcher. */
export interface AddressGuard {
  /** The refusal of a URL before any connection (port, literal address), or undefined when it may be tried. */
  check(url: URL): ForbiddenAddressError | undefined;
  /** Agents that check the host, port and every resolved address when they connect. */
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/**
 * Whether an address is public unicast. IPv4-mapped IPv6 (`::ffff:7f00:1`) is judged as the IPv4 address it
 * carries; loopback, private, link-local, unique-local, multicast, unspecified, carrier-grade NAT, documentation,
 * 6to4, Teredo and NAT64 ranges (which can carry any IPv4 address) are not public.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** Create the guard of one fetcher. */
export function createAddressGuard(policy: AddressPolicy = {}): AddressGuard {
  const ports = new Set(policy.allowedPorts ?? DEFAULT_ALLOWED_PORTS);
  const allowed = policy.isAllowedAddress ?? ((address: string) => policy.allowPrivate === true || isPublicAddress(address));
  const resolve: LookupFunction = policy.lookup ?? (dnsLookup as LookupFunction);

  const refusedAddress = (host: string, address: string) =>
    new ForbiddenAddressError(`internal address refused: ${host}${host === address ? '' : ` (${address})`}`, 'address', host, address);

  /** The refusal of one connection target; a literal address is judged before the port. */
  function refusal(rawHost: string, port: number): ForbiddenAddressError | undefined {
    const host = bare(rawHost);
    if (isIP(host) && !allowed(host)) return refusedAddress(host, host);
    if (!ports.has(port)) return new ForbiddenAddressError(`port ${port} refused (allowed: ${[...ports].join(', ')})`, 'port', host, undefined, port);
    return undefined;
  }

  // Every address a name resolves to must be allowed, or a mixed answer would reach the private one.
  // Node calls this while connecting, so the address checked is the address connected to.
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, answer, family) => {
      if (err) return callback(err, '');
      const addresses: LookupAddress[] = typeof answer === 'string' ? [{ address: answer, family: family ?? isIP(answer) }] : answer;
      const refused = addresses.find((a) => !allowed(a.address));
      if (refused) return callback(refusedAddress(hostname, refused.address), '');
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  /** Refuse before the socket exists: a literal address never goes through `lookup`. */
  function guarded(
    options: { host?: string | null; port?: number | string | null },
    defaultPort: number,
    callback: ((err: Error | null, stream: Duplex) => void) | undefined,
  ): ForbiddenAddressError | undefined {
    const err = refusal(options.host ?? 'localhost', Number(options.port || defaultPort));
    if (!err) return undefined;
    if (!callback) throw err;
    process.nextTick(() => callback(err, undefined as unknown as Duplex));
    return err;
  }

  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      if (guarded(options, 80, callback)) return undefined;
      return super.createConnection(options, callback);
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      if (guarded(options, 443, callback)) return undefined;
      return super.createConnection(options, callback);
    }
  }

  return {
    check: (url) => refusal(url.hostname, Number(url.port || (url.protocol === 'https:' ? 443 : 80))),
    httpAgent: new GuardedHttpAgent({ lookup: guardedLookup }),
    httpsAgent: new GuardedHttpsAgent({ lookup: guardedLookup }),
  };
}
