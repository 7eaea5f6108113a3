import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation } from '../../src/assistant/conversation.js';
import { createStores } from '../../src/store/stores.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createHttpServer, MAX_BODY_BYTES, type HttpServerOptions } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

let server: Server;
let base: string;
const stores = await createStores({ log: silentLogger() });

beforeAll(async () => {
  const { items } = await loadContent([join(ROOT, 'data')]);
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const engine = createAnswerEngine({ index, lexicon });
  const conversation = createConversation({ engine, index, lexicon, stores, log: silentLogger() });
  server = createHttpServer({ conversation, log: silentLogger() });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const chat = (body: unknown) =>
  fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('HTTP server', () => {
  it('serves the Vietnamese chat page and a health check', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Trợ lý hỏi đáp Mặt trận Tổ quốc');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
  });

  it('answers a question with the quoted sentence', async () => {
    const res = await chat({ sessionId: 's', text: 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?' });
    const data = (await res.json()) as { replies: { text: string }[] };
    expect(data.replies[0]!.text).toContain('Phạm Thị Hân');
  });

  it('records unanswered questions and offers the closest titles as buttons that work', async () => {
    // On the topic of the bundled programs, asking for a hotline none gives: unanswered, with the closest titles.
    const res = await chat({ sessionId: 's2', text: 'số điện thoại đường dây nóng Quỹ vì người nghèo' });
    const data = (await res.json()) as { replies: { text: string; buttons: { label: string; data: string }[] }[] };
    expect(data.replies[0]!.text).toMatch(/chưa có thông tin/);
    const recorded: string[] = [];
    for await (const [, v] of stores.unanswered.iterator!(undefined)) recorded.push((v as { question: string }).question);
    expect(recorded).toContain('số điện thoại đường dây nóng Quỹ vì người nghèo');
    const button = data.replies[0]!.buttons[0]!;
    const pressed = (await (await chat({ sessionId: 's2', data: button.data })).json()) as { replies: { text: string }[] };
    expect(pressed.replies[0]!.text).toMatch(/^Theo /);
  });

  it('rejects malformed bodies and oversized requests with a clear status, and keeps serving', async () => {
    expect((await chat('{not json')).status).toBe(400);
    expect((await chat({ sessionId: 's', text: 42 })).status).toBe(400);
    expect((await chat({ text: 'thiếu sessionId' })).status).toBe(400);
    expect((await chat({ sessionId: '<script>', text: 'x' })).status).toBe(400);
    expect((await chat({ sessionId: 's', text: 'x'.repeat(MAX_BODY_BYTES + 10) })).status).toBe(413);
    expect((await fetch(`${base}/api/chat`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await chat({ sessionId: 's', text: 'xin chào' })).status).toBe(200);
  });

  it('decodes Vietnamese split across network chunks correctly', async () => {
    const bytes = Buffer.from(JSON.stringify({ sessionId: 's', text: 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?' }));
    const { request } = await import('node:http');
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (out += c));
        res.on('end', () => resolve(out));
      });
      req.on('error', reject);
      // Cut inside a multi-byte character ("Ủ" is 3 bytes in UTF-8).
      const cut = bytes.indexOf(Buffer.from('Ủ')) + 1;
      req.write(bytes.subarray(0, cut));
      setTimeout(() => req.end(bytes.subarray(cut)), 20);
    });
    expect(text).toContain('Phạm Thị Hân');
  });
});

describe('readiness and metrics', () => {
  const LIMIT_MS = 200;
  /** A server with only what /readyz and /metrics need, on 127.0.0.1, closed after `use`. */
  async function withServer(extra: Partial<HttpServerOptions>, use: (base: string) => Promise<void>) {
    const index = ArticleIndex.create();
    const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
    const conversation = createConversation({ engine: createAnswerEngine({ index, lexicon }), index, lexicon, stores, log: silentLogger() });
    const s = createHttpServer({ conversation, log: silentLogger(), readinessTimeoutMs: LIMIT_MS, ...extra });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      await use(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  it('answers /readyz 200 when every check passes, and ready with no checks', async () => {
    await withServer({ readiness: { store: async () => true, index: () => true } }, async (b) => {
      const res = await fetch(`${b}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, checks: { store: true, index: true } });
    });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true, checks: {} });
  });

  it('answers /readyz 503 naming the failing checks: false, a reason, a throw, a check that hangs', async () => {
    const started = Date.now();
    await withServer(
      {
        readiness: {
          index: () => 'loading: 1200 of 58000 documents',
          store: async () => {
            throw new Error('Redis get failed: no answer within 3000 ms');
          },
          telegram: async () => false,
          zalo: () => new Promise<boolean>(() => undefined),
          web: () => true,
        },
      },
      async (b) => {
        const res = await fetch(`${b}/readyz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          ok: false,
          checks: {
            index: 'loading: 1200 of 58000 documents',
            store: 'Redis get failed: no answer within 3000 ms',
            telegram: false,
            zalo: `timed out after ${LIMIT_MS} ms`,
            web: true,
          },
          failing: ['index', 'store', 'telegram', 'zalo'],
        });
      },
    );
    expect(Date.now() - started).toBeLessThan(LIMIT_MS + 1000);
  });

  it('accepts readiness as one function returning every result, limited as a whole', async () => {
    await withServer({ readiness: async () => ({ store: true, index: 'loading' }) }, async (b) => {
      const res = await fetch(`${b}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { failing: string[] }).failing).toEqual(['index']);
    });
    await withServer({ readiness: () => new Promise(() => undefined) }, async (b) => {
      const res = await fetch(`${b}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: unknown }).checks).toEqual({ readiness: `timed out after ${LIMIT_MS} ms` });
    });
  });

  it("serves /metrics in the Prometheus text format with the bot's metrics and process metrics", async () => {
    const metrics = createMetrics();
    metrics.messageIn('telegram');
    metrics.messageIn('telegram');
    metrics.messageOut('zalo', 3);
    metrics.answerConfidence(0.72);
    metrics.unanswered('web');
    metrics.replyLatency('telegram', 0.042);
    metrics.startReply('zalo')();
    metrics.broadcastProgress('digest', { sent: 10, blocked: 1, failed: 2, remaining: 87 });
    metrics.rateLimited('telegram');
    metrics.subscriberBlocked('zalo');
    metrics.indexSize(58_000);
    metrics.importResult('added', 5);
    metrics.importResult('rejected');
    await withServer({ metrics }, async (b) => {
      const res = await fetch(`${b}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      for (const line of [
        'mattran_messages_in_total{channel="telegram"} 2',
        'mattran_messages_out_total{channel="zalo"} 3',
        'mattran_answer_confidence_bucket{le="0.8"} 1',
        'mattran_answer_confidence_bucket{le="0.7"} 0',
        'mattran_unanswered_total{channel="web"} 1',
        'mattran_reply_latency_seconds_bucket{le="0.05",channel="telegram"} 1',
        'mattran_reply_latency_seconds_count{channel="zalo"} 1',
        'mattran_broadcast_recipients{kind="digest",state="remaining"} 87',
        'mattran_broadcast_recipients{kind="digest",state="blocked"} 1',
        'mattran_rate_limited_total{channel="telegram"} 1',
        'mattran_blocked_subscribers_total{channel="zalo"} 1',
        'mattran_index_documents 58000',
        'mattran_import_results_total{outcome="added"} 5',
        'mattran_import_results_total{outcome="rejected"} 1',
      ])
        expect(text).toContain(line);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    });
    // Without a registry there is no /metrics route.
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });
});
