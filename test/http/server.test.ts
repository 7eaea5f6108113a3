import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/assistant/answer-engine.js';
import { createConversation } from '../../src/assistant/conversation.js';
import { createStores } from '../../src/store/stores.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createHttpServer, MAX_BODY_BYTES } from '../../src/http/server.js';
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

const chat = (body: unknown) => fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

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
    const res = await chat({ sessionId: 's2', text: 'lịch thi đấu bóng đá tối nay' });
    const data = (await res.json()) as { replies: { text: string; buttons: { label: string; data: string }[] }[] };
    expect(data.replies[0]!.text).toMatch(/chưa có thông tin/);
    const recorded: string[] = [];
    for await (const [, v] of stores.unanswered.iterator!(undefined)) recorded.push((v as { question: string }).question);
    expect(recorded).toContain('lịch thi đấu bóng đá tối nay');
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
