import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleUiText } from '../../copy/messages.js';
import type { SignInRefusal } from '../../store/sessions.js';
import type { ConsoleUi } from './route.js';

/** The page files: the shell (index.html), its style sheet and its ES modules. */
const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));
/** Where the assets are served from. */
const ASSETS = '/admin/assets/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Only the bot's own files: no inline script, no other origin. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, asset: Asset, csp = CSP, cache = 'no-cache'): void {
  res.writeHead(status, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    // Pages change with each release: the browser asks again (cheap, all in memory).
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': csp,
  });
  res.end(asset.body);
}

/** The assets by URL path: the page files, and Chart.js's browser build from node_modules. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of readdirSync(UI_DIR)) {
    if (file === 'index.html' || !TYPES[extname(file)]) continue;
    assets.set(ASSETS + file, { body: readFileSync(join(UI_DIR, file)), type: TYPES[extname(file)]! });
  }
  // Its package exports only the module builds; the UMD build (one file, Chart on window) sits beside them.
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  assets.set(`${ASSETS}chart.umd.min.js`, { body: readFileSync(join(chartDir, 'chart.umd.min.js')), type: TYPES['.js']! });
  return assets;
}

/** The sign-in pages' style: inline, allowed by its hash in their CSP. */
const PAGE_STYLE = `body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f1ea;color:#1d1d1d}
header{background:#b71c1c;color:#fff;padding:14px 16px}header p{margin:0;font-weight:600}
main{max-width:40rem;margin:0 auto;padding:16px}h1{font-size:22px;margin:8px 0 12px}
.reason{background:#fff3e0;border-left:4px solid #e65100;padding:10px 12px;margin:0 0 16px}
ol{padding-left:1.4em}li{margin:6px 0}code{background:#fff;border:1px solid #ddd;border-radius:4px;padding:1px 5px}
button{font:inherit;font-weight:600;background:#b71c1c;color:#fff;border:0;border-radius:6px;padding:10px 24px;min-height:44px;cursor:pointer}
button:focus-visible{outline:3px solid #1d1d1d;outline-offset:2px}`;
const PAGE_CSP = CSP.replace("style-src 'self'", `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`);

/** A self-contained page (no asset needs a session) with `heading` and `body` (already HTML). */
function renderPage(heading: string, body: string): Asset {
  const t = consoleUiText;
  const html = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(t.signInTitle)}</title><style>${PAGE_STYLE}</style></head><body>
<header><p>${escapeHtml(t.brand)}</p></header>
<main><h1>${escapeHtml(heading)}</h1>
${body}</main></body></html>`;
  return { body: Buffer.from(html), type: TYPES['.html']! };
}

/** The sign-in page: how to get a link, and why the last one was refused. */
function renderSignIn(reason: SignInRefusal | undefined): Asset {
  const t = consoleUiText;
  return renderPage(
    t.signInHeading,
    `${reason ? `<p class="reason" role="alert">${escapeHtml(t.refused[reason])}</p>` : ''}
<p>${escapeHtml(t.signInIntro)}</p>
<ol>${t.signInSteps.map((step) => `<li>${escapeHtml(step).replace('/dangnhap', '<code>/dangnhap</code>')}</li>`).join('')}</ol>
<p>${escapeHtml(t.signInNote)}</p>`,
  );
}

/** The page a sign-in link opens: one button that posts the token (a form: no script runs). */
function renderConfirm(token: string): Asset {
  const t = consoleUiText;
  return renderPage(
    t.confirmHeading,
    `<p>${escapeHtml(t.confirmIntro).replace('/dangnhap', '<code>/dangnhap</code>')}</p>
<form method="post" action="/admin/login"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">${escapeHtml(t.confirmButton)}</button></form>`,
  );
}

/** The console's pages: one shell page whose ES modules draw each page from the JSON API, and the sign-in page. */
export function createConsoleUi(): ConsoleUi {
  const assets = loadAssets();
  const shell: Asset = { body: readFileSync(join(UI_DIR, 'index.html')), type: TYPES['.html']! };
  return {
    async serve(_req, res, url) {
      if (url.pathname === '/admin' || url.pathname === '/admin/') {
        send(res, 200, shell);
        return true;
      }
      const asset = assets.get(url.pathname);
      if (!asset) return false;
      send(res, 200, asset);
      return true;
    },
    signIn(res, status, reason) {
      send(res, status, renderSignIn(reason), PAGE_CSP);
    },
    confirmSignIn(res, token) {
      // The page holds the token: never kept by a cache.
      send(res, 200, renderConfirm(token), PAGE_CSP, 'no-store');
    },
  };
}
