import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher, decodeBody, DEFAULT_USER_AGENT, FetchError, type FetchedResource, type Validators } from '../../src/ingest/fetch.js';
import { startSite, type Site } from './site-server.js';

let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site.close());

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error('expected a FetchError');
}

describe('fetcher', () => {
  it('sends a clear User-Agent and decodes UTF-8 pages into NFC', async () => {
    const res = (await createFetcher({ addressPolicy: site.access }).fetch(
      `${site.base}/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html`,
    )) as FetchedResource;
    expect(res.notModified).toBe(false);
    expect(res.charset).toBe('utf-8');
    expect(res.text).toContain('Gia Lai: Khu dân cư làng Plei Ơi');
    expect(site.hits('/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html')[0]!.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(DEFAULT_USER_AGENT).toMatch(/^mattran-bot\/0\.1 \(\+https:\/\//);
  });

  it('decodes a windows-1258 page declared in <meta http-equiv> (no charset in the header)', async () => {
    const res = (await createFetcher({ addressPolicy: site.access }).fetch(`${site.base}/tinh/quang-binh-windows-1258.html`)) as FetchedResource;
    expect(res.contentType).toBe('text/html');
    expect(res.charset).toBe('windows-1258');
    expect(res.charsetSource).toBe('meta');
    expect(res.text).toContain('Quảng Bình: Mặt trận vận động nhân dân trồng rừng ven biển');
    expect(res.text).toBe(res.text.normalize('NFC'));
  });

  it('takes the header charset first, then the XML declaration, then UTF-8', () => {
    const text = 'Đại đoàn kết toàn dân tộc';
    expect(decodeBody(iconv.encode(`<p>${text}</p>`, 'windows-1258'), 'text/html; charset=windows-1258')).toMatchObject({
      charset: 'windows-1258',
      charsetSource: 'header',
    });
    const xml = decodeBody(iconv.encode(`<?xml version="1.0" encoding="utf-16le"?><rss><title>${text}</title></rss>`, 'utf-16le'), 'application/xml');
    expect(xml.charsetSource).toBe('xml-declaration');
    expect(xml.text).toContain(text);
    expect(decodeBody(Buffer.from(`<p>${text}</p>`), '')).toMatchObject({ charset: 'utf-8', charsetSource: 'default' });
    expect(decodeBody(Buffer.from(`<p>${text}</p>`), 'text/html; charset=x-unknown-charset').charset).toBe('utf-8');
  });

  it('aborts a 10 MB page at the 5 MB limit while it streams in', async () => {
    const err = await failure(createFetcher({ addressPolicy: site.access }).fetch(`${site.base}/huge.html`));
    expect(err.kind).toBe('too-large');
    expect(site.controls.hugeBytesSent).toBeLessThan(10 * 1024 * 1024);
  });

  it('ends a redirect loop with a clear error', async () => {
    const err = await failure(createFetcher({ addressPolicy: site.access }).fetch(`${site.base}/loop-a`));
    expect(err.kind).toBe('redirect-loop');
    expect(err.message).toMatch(/redirect loop/);
  });

  it('follows redirects within the limit and reports the final URL', async () => {
    const res = (await createFetcher({ addressPolicy: site.access }).fetch(`${site.base}/chuyen-huong`)) as FetchedResource;
    expect(res.url).toBe(`${site.base}/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html`);
    expect(res.requestedUrl).toBe(`${site.base}/chuyen-huong`);
    const err = await failure(createFetcher({ addressPolicy: site.access, maxRedirects: 0 }).fetch(`${site.base}/chuyen-huong`));
    expect(err.kind).toBe('too-many-redirects');
  });

  it('times out on a slow server', async () => {
    const started = Date.now();
    const err = await failure(createFetcher({ addressPolicy: site.access, timeoutMs: 300 }).fetch(`${site.base}/slow.html`));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('sends the remembered ETag and Last-Modified and reports 304 as not modified', async () => {
    const memory = new Map<string, Validators>();
    const fetcher = createFetcher({
      addressPolicy: site.access,
      validators: { getValidators: async (u) => memory.get(u), setValidators: async (u, v) => void memory.set(u, v) },
    });
    const url = `${site.base}/etag/ha-noi-hoi-nghi-46010.html`;
    const first = await fetcher.fetch(url, { conditional: true });
    expect(first.notModified).toBe(false);
    await fetcher.remember(first as FetchedResource);
    expect(memory.get(url)).toEqual({ etag: '"v1-46010"', lastModified: 'Thu, 05 Dec 2024 03:00:00 GMT' });
    const second = await fetcher.fetch(url, { conditional: true });
    expect(second.notModified).toBe(true);
    const headers = site.hits('/etag/ha-noi-hoi-nghi-46010.html').at(-1)!.headers;
    expect(headers['if-none-match']).toBe('"v1-46010"');
    expect(headers['if-modified-since']).toBe('Thu, 05 Dec 2024 03:00:00 GMT');
  });

  it('refuses non-http(s) URLs and reports HTTP errors and refused connections as typed errors', async () => {
    for (const u of ['file:///etc/passwd', 'ftp://example.vn/a', 'không phải URL'])
      expect((await failure(createFetcher({ addressPolicy: site.access }).fetch(u))).kind).toBe('bad-url');
    const missing = await failure(createFetcher({ addressPolicy: site.access }).fetch(`${site.base}/khong-co-trang-nay.html`));
    expect([missing.kind, missing.status]).toEqual(['http-status', 404]);
    expect(
      (await failure(createFetcher({ addressPolicy: { allowPrivate: true, allowedPorts: [1] }, timeoutMs: 2000 }).fetch('http://127.0.0.1:1/'))).kind,
    ).toBe('network');
  });
});
