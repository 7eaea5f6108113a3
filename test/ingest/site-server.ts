import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressPolicy } from '../../src/ingest/address-guard.js';

/** The fixture website's files. */
export const SITE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/site');

/** One request the fixture site received. */
export interface SiteRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/** Switches tests flip while the site runs. */
export interface SiteControls {
  /** Version of `/thay-doi/…-46020.html` (a changing article). */
  changingVersion: 1 | 2;
  /** Status `/fail/feed.xml` answers with (a failing source); 200 serves the RSS feed. */
  failStatus: number;
  /** Bytes of `/huge.html` written before the client went away. */
  hugeBytesSent: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.xml': 'application/xml',
};

function changingArticle(version: 1 | 2): string {
  const extra = version === 1 ? 'Kinh phí dự kiến 800 triệu đồng.' : 'Kinh phí đã được nâng lên 1,1 tỷ đồng sau khi có thêm nhiều doanh nghiệp ủng hộ.';
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Nghệ An: Xây cầu dân sinh cho bản Huồi Cáng</title>
<link rel="canonical" href="https://mattran.org.vn/hoat-dong/nghe-an-xay-cau-dan-sinh-46020.html"></head>
<body><div class="main-column"><h1 class="article__title">Nghệ An: Xây cầu dân sinh cho bản Huồi Cáng</h1>
<div class="article__meta"><time>10:00 05/12/2024</time></div>
<div class="article__body"><p>(Mặt trận) - Ủy ban MTTQ tỉnh Nghệ An khởi công cầu dân sinh bắc qua suối Huồi Cáng, giúp 120 hộ đồng bào đi lại an toàn trong mùa lũ.</p>
<p>Cây cầu dài 48 mét, rộng 1,5 mét, dự kiến hoàn thành trước Tết Nguyên đán. ${extra}</p></div></div></body></html>`;
}

/**
 * Serve the fixture website on 127.0.0.1 (port 0). Static files get `{{BASE}}` replaced by the server's URL;
 * `/m/<path>` serves the mobile twin when there is one, else the desktop page. Dynamic routes: a 10 MB page,
 * a redirect loop, a redirect, a slow page, an ETag-aware page, a changing article, a copy without canonical
 * link, a failing feed.
 */
export async function startSite() {
  const requests: SiteRequest[] = [];
  const controls: SiteControls = { changingVersion: 1, failStatus: 500, hugeBytesSent: 0 };
  let base = '';
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push({ path, headers: req.headers });
    const send = (status: number, body: string | Buffer, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    if (path === '/huge.html') {
      // 10 MB of markup in 64 KB chunks, without Content-Length: only a streaming limit can stop it.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const chunk = Buffer.from(`<p>${'Mặt trận '.repeat(6550)}</p>\n`);
      const total = 10 * 1024 * 1024;
      const write = () => {
        while (controls.hugeBytesSent < total) {
          if (res.destroyed) return;
          controls.hugeBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('close', () => undefined);
      write();
      return;
    }
    if (path === '/loop-a') return send(302, '', 'text/plain', { location: '/loop-b' });
    if (path === '/loop-b') return send(301, '', 'text/plain', { location: `${base}/loop-a` });
    if (path === '/chuyen-huong') return send(301, '', 'text/plain', { location: '/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html' });
    if (path === '/slow.html') {
      const timer = setTimeout(() => send(200, '<html><body><p>Trang chậm</p></body></html>'), 3000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path === '/etag/ha-noi-hoi-nghi-46010.html') {
      const etag = '"v1-46010"';
      if (req.headers['if-none-match'] === etag) return send(304, '', 'text/html', { etag });
      const html = (await readFile(join(SITE_DIR, 'hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html'), 'utf8'))
        .replace('46003.html', '46010.html')
        .replaceAll('Cần Thơ', 'Hà Nội');
      return send(200, html, 'text/html; charset=utf-8', { etag, 'last-modified': 'Thu, 05 Dec 2024 03:00:00 GMT' });
    }
    if (path === '/thay-doi/nghe-an-xay-cau-dan-sinh-46020.html') return send(200, changingArticle(controls.changingVersion));
    if (path === '/fail/feed.xml') {
      if (controls.failStatus !== 200) return send(controls.failStatus, 'lỗi máy chủ', 'text/plain; charset=utf-8');
      return send(200, (await readFile(join(SITE_DIR, 'feed.rss'), 'utf8')).replaceAll('{{BASE}}', base), 'application/rss+xml');
    }
    let file = path.startsWith('/copy/') ? path.slice(5) : path;
    if (file.endsWith('/')) file += 'index.html';
    const safe = normalize(file).replace(/^(\.\.[/\\])+/, '');
    let bytes: Buffer | undefined;
    const candidates = safe.startsWith('/m/') ? [safe, safe.slice(2)] : [safe];
    for (const c of candidates) {
      bytes = await readFile(join(SITE_DIR, c)).catch(() => undefined);
      if (bytes) break;
    }
    if (!bytes) return send(404, 'không tìm thấy', 'text/plain; charset=utf-8');
    const ext = extname(safe);
    if (safe.includes('windows-1258')) return send(200, bytes, 'text/html');
    let text = bytes.toString('utf8').replaceAll('{{BASE}}', base);
    if (path.startsWith('/copy/')) text = text.replace(/<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>/g, '');
    send(200, text, TYPES[ext] ?? 'application/octet-stream');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  /** What the importer must be allowed to reach this site: a loopback address (INGEST_ALLOW_PRIVATE) on a random port. */
  const access: AddressPolicy = { allowPrivate: true, allowedPorts: [port] };
  return {
    base,
    port,
    access,
    requests,
    controls,
    /** Requests for one path. */
    hits: (path: string) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The fixture site, as started by {@link startSite}. */
export type Site = Awaited<ReturnType<typeof startSite>>;
