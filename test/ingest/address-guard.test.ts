import { lookup as dnsLookup } from 'node:dns';
import { createServer, get, type Agent } from 'node:http';
import { isIP, type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard, ForbiddenAddressError, isPublicAddress } from '../../src/ingest/address-guard.js';
import { createFetcher, FetchError, type FetchedResource, type FetchOptions } from '../../src/ingest/fetch.js';

/** A page server on `host` (port 0) that records the paths asked and answers from `route`. */
async function startServer(host: string, route: (path: string) => { status: number; location?: string } = () => ({ status: 200 })) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    const { status, location } = route(path);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...(location ? { location } : {}) });
    res.end('<html><body><p>Trang nội bộ: không được lộ ra ngoài</p></body></html>');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Name resolution where the names in `names` answer the given addresses; other names go to dns.lookup. */
function resolver(names: Record<string, string[]>, asked: string[] = []): LookupFunction {
  return (hostname, options, callback) => {
    asked.push(hostname);
    const addresses = names[hostname];
    if (!addresses) return (dnsLookup as LookupFunction)(hostname, options, callback);
    const answer = addresses.map((address) => ({ address, family: isIP(address) }));
    if (options.all) callback(null, answer);
    else callback(null, answer[0]!.address, answer[0]!.family);
  };
}

async function refusal(url: string, options: FetchOptions): Promise<ForbiddenAddressError> {
  const err = await createFetcher({ timeoutMs: 1000, ...options })
    .fetch(url)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err, url).toBeInstanceOf(FetchError);
  expect((err as FetchError).kind, `${url}: ${(err as FetchError).message}`).toBe('forbidden-address');
  expect((err as FetchError).cause).toBeInstanceOf(ForbiddenAddressError);
  return (err as FetchError).cause as ForbiddenAddressError;
}

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, unique-local, multicast, unspecified and IPv4 carried in IPv6', () => {
    const internal = [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::1',
      '::',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      'không phải địa chỉ',
    ];
    expect(internal.filter(isPublicAddress)).toEqual([]);
  });

  it('accepts public unicast addresses, IPv4-mapped ones included', () => {
    const open = ['8.8.8.8', '1.1.1.1', '203.162.4.191', '2001:4860:4860::8888', '::ffff:8.8.8.8'];
    expect(open.filter((a) => !isPublicAddress(a))).toEqual([]);
  });
});

describe('fetcher address policy', () => {
  let site: Awaited<ReturnType<typeof startServer>>;
  let hidden: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    // 127.0.0.2 is a second loopback address (Linux answers the whole 127/8): a redirect target that is
    // reachable, so "no request arrived" shows the guard stopped it.
    hidden = await startServer('127.0.0.2');
    site = await startServer('127.0.0.1', (path) => {
      if (path === '/to-ip') return { status: 302, location: `http://127.0.0.2:${hidden.port}/bi-mat` };
      if (path === '/to-name') return { status: 302, location: `http://noi-bo.example.vn:${hidden.port}/bi-mat` };
      if (path === '/to-port') return { status: 301, location: `http://127.0.0.2:${hidden.port}/cong-khac` };
      return { status: 200 };
    });
  });
  afterAll(async () => {
    await site.close();
    await hidden.close();
  });

  it('refuses every spelling of an internal address with the default policy, and nothing reaches the server', async () => {
    const before = site.paths.length;
    const lookup = resolver({ 'metadata.google.internal': ['169.254.169.254'] });
    const hosts = [
      'localhost',
      '127.0.0.1',
      '2130706433',
      '0x7f.0.0.1',
      '0177.0.0.1',
      '0x7f000001',
      '127.1',
      '0.0.0.0',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::]',
      '10.0.0.1',
      '[fd00::1]',
      '169.254.169.254',
      'metadata.google.internal',
      '224.0.0.1',
      '[ff02::1]',
    ];
    for (const host of hosts) {
      const err = await refusal(`http://${host}:${site.port}/`, { addressPolicy: { allowedPorts: [site.port], lookup } });
      expect(err.rule, host).toBe('address');
      expect(isPublicAddress(err.address!), host).toBe(false);
    }
    expect((await refusal(`https://127.0.0.1:${site.port}/`, { addressPolicy: { allowedPorts: [site.port] } })).rule).toBe('address');
    expect(site.paths.length - before).toBe(0);
  });

  it('judges the address a name resolves to while connecting: a public-looking name answering 127.0.0.1 is refused', async () => {
    const before = site.paths.length;
    const asked: string[] = [];
    const lookup = resolver({ 'tin-tuc.example.vn': ['127.0.0.1'] }, asked);
    const err = await refusal(`http://tin-tuc.example.vn:${site.port}/bai-viet.html`, { addressPolicy: { allowedPorts: [site.port], lookup } });
    expect(err).toMatchObject({ rule: 'address', host: 'tin-tuc.example.vn', address: '127.0.0.1' });
    // Resolved once, by the connection itself: no earlier check whose answer could differ from the one used.
    expect(asked).toEqual(['tin-tuc.example.vn']);
    expect(site.paths.length - before).toBe(0);
  });

  it('refuses a name when any of its addresses is refused, even after an allowed one', async () => {
    const before = site.paths.length;
    // 127.0.0.1 stands for a public address here; 127.0.0.2 for an internal one.
    const policy = {
      isAllowedAddress: (a: string) => a === '127.0.0.1',
      allowedPorts: [site.port],
      lookup: resolver({ 'hai-dia-chi.example.vn': ['127.0.0.1', '127.0.0.2'] }),
    };
    expect(await refusal(`http://hai-dia-chi.example.vn:${site.port}/`, { addressPolicy: policy })).toMatchObject({ rule: 'address', address: '127.0.0.2' });
    expect(site.paths.length - before).toBe(0);
  });

  it('checks every redirect: an allowed page redirecting to an internal address or name gets nothing from it', async () => {
    const policy = {
      isAllowedAddress: (a: string) => a === '127.0.0.1',
      allowedPorts: [site.port, hidden.port],
      lookup: resolver({ 'noi-bo.example.vn': ['127.0.0.2'] }),
    };
    expect(await refusal(`http://127.0.0.1:${site.port}/to-ip`, { addressPolicy: policy })).toMatchObject({ rule: 'address', address: '127.0.0.2' });
    expect(await refusal(`http://127.0.0.1:${site.port}/to-name`, { addressPolicy: policy })).toMatchObject({
      rule: 'address',
      host: 'noi-bo.example.vn',
      address: '127.0.0.2',
    });
    expect(site.paths.filter((p) => p === '/to-ip' || p === '/to-name')).toEqual(['/to-ip', '/to-name']);
    expect(hidden.paths).toEqual([]);
    // The same redirect with the target allowed arrives: the target was reachable all along.
    const open = (await createFetcher({ addressPolicy: { ...policy, isAllowedAddress: () => true } }).fetch(
      `http://127.0.0.1:${site.port}/to-name`,
    )) as FetchedResource;
    expect(open.url).toBe(`http://noi-bo.example.vn:${hidden.port}/bi-mat`);
    expect(hidden.paths).toEqual(['/bi-mat']);
    hidden.paths.length = 0;
  });

  it('refuses a port outside the allowed list, asked for or redirected to, before connecting', async () => {
    const before = site.paths.length;
    const lookup = resolver({ 'tin-tuc.example.vn': ['127.0.0.1'] });
    const anyAddress = () => true;
    const asked = await refusal(`http://tin-tuc.example.vn:${site.port}/`, { addressPolicy: { isAllowedAddress: anyAddress, lookup } });
    expect(asked).toMatchObject({ rule: 'port', port: site.port });
    expect(asked.message).toContain('allowed: 80, 443, 8080');
    expect(site.paths.length - before).toBe(0);
    expect(
      await refusal(`http://127.0.0.1:${site.port}/to-port`, { addressPolicy: { isAllowedAddress: anyAddress, allowedPorts: [site.port] } }),
    ).toMatchObject({ rule: 'port', port: hidden.port });
    expect(hidden.paths).toEqual([]);
    const allowed = (await createFetcher({ addressPolicy: { isAllowedAddress: anyAddress, lookup, allowedPorts: [site.port] } }).fetch(
      `http://tin-tuc.example.vn:${site.port}/`,
    )) as FetchedResource;
    expect(allowed.text).toContain('Trang nội bộ');
  });

  it('allowPrivate (INGEST_ALLOW_PRIVATE) lets loopback through; the port list still applies', async () => {
    const res = (await createFetcher({ addressPolicy: { allowPrivate: true, allowedPorts: [site.port] } }).fetch(
      `http://localhost:${site.port}/trang.html`,
    )) as FetchedResource;
    expect(res.status).toBe(200);
    expect(site.paths.at(-1)).toBe('/trang.html');
    expect((await refusal(`http://localhost:${site.port}/`, { addressPolicy: { allowPrivate: true } })).rule).toBe('port');
  });

  it('the agents refuse by themselves when connecting, to a literal address and to a resolved name', async () => {
    const before = site.paths.length;
    const guard = createAddressGuard({ allowedPorts: [site.port], lookup: resolver({ 'tin-tuc.example.vn': ['127.0.0.1'] }) });
    const connect = (host: string, agent: Agent) =>
      new Promise<unknown>((resolve) => {
        get({ host, port: site.port, path: '/', agent }, (res) => resolve(res.statusCode)).on('error', resolve);
      });
    for (const host of ['127.0.0.1', '::ffff:7f00:1', 'tin-tuc.example.vn']) {
      const err = await connect(host, guard.httpAgent);
      expect(err, host).toBeInstanceOf(ForbiddenAddressError);
      expect((err as ForbiddenAddressError).address, host).toMatch(/^(127\.0\.0\.1|::ffff:7f00:1)$/);
    }
    expect(site.paths.length - before).toBe(0);
  });
});
