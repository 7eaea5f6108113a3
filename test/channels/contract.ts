import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, OutboundMessage } from '../../src/core/chat.js';
import type { FakeReply, RecordedCall } from '../helpers/fake-http.js';

/** What a channel test provides to the shared contract. */
export interface ContractHarness {
  /** A channel pointed at a fake platform whose sends answer with `onSend` (default: success). */
  create(onSend?: (call: RecordedCall) => FakeReply | undefined): Promise<{ channel: Channel; sent: () => RecordedCall[]; close: () => Promise<void> }>;
  /** Fake answers for the platform's errors. */
  replies: { rateLimited: FakeReply; blocked: FakeReply; chatNotFound: FakeReply; serverError: FakeReply; garbage: FakeReply; timeout: FakeReply };
  /** The text field of a recorded send. */
  textOf(call: RecordedCall): string;
}

/** The cases every channel must pass (STYLE.md §9). */
export function channelContract(name: string, harness: ContractHarness): void {
  describe(`${name}: channel contract`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const make = async (onSend?: (call: RecordedCall) => FakeReply | undefined) => {
      const h = await harness.create(onSend);
      close = h.close;
      return h;
    };
    const message: OutboundMessage = { text: 'Xin chào <b>bạn</b> & Mặt trận', links: [{ title: 'Nguồn', url: 'https://mattran.org.vn/a-1.html' }] };

    it('sends a message and reports ok with a message id', async () => {
      const { channel, sent } = await make();
      const result = await channel.send('1001', message);
      expect(result.ok).toBe(true);
      expect(sent()).toHaveLength(1);
      expect(harness.textOf(sent()[0]!)).toContain('Mặt trận');
    });

    it('maps 429 to rate_limited with retryAfterMs', async () => {
      const { channel } = await make(() => harness.replies.rateLimited);
      expect(await channel.send('1001', message)).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 3000 });
    });

    it('maps a blocked user to blocked', async () => {
      const { channel } = await make(() => harness.replies.blocked);
      expect(await channel.send('1001', message)).toEqual({ ok: false, reason: 'blocked' });
    });

    it('maps an unknown chat to chat_not_found', async () => {
      const { channel } = await make(() => harness.replies.chatNotFound);
      expect(await channel.send('1001', message)).toEqual({ ok: false, reason: 'chat_not_found' });
    });

    it('reports 5xx and garbage bodies as failed, without throwing', async () => {
      for (const reply of [harness.replies.serverError, harness.replies.garbage]) {
        const { channel } = await make(() => reply);
        const result = await channel.send('1001', message);
        expect(result.ok).toBe(false);
        expect(result.ok === false && result.reason).toBe('failed');
        await close?.();
        close = undefined;
      }
    });

    it('reports a send that gets no answer in time as failed and maybe delivered (the request reached the platform)', async () => {
      const { channel, sent } = await make(() => harness.replies.timeout);
      const started = Date.now();
      const result = await channel.send('1001', message);
      expect(result.ok === false && result.reason).toBe('failed');
      expect(result.ok === false && result.reason === 'failed' && result.maybeDelivered).toBe(true);
      expect(sent()).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('splits long text into chunks under the limit, in order, losing nothing', async () => {
      const { channel, sent } = await make();
      const sentence = 'Mặt trận Tổ quốc Việt Nam vận động ủng hộ Quỹ Vì người nghèo. ';
      const long = sentence.repeat(Math.ceil((channel.limits.maxTextLength * 2.5) / sentence.length));
      const result = await channel.send('1001', { text: long });
      expect(result.ok).toBe(true);
      const texts = sent().map((c) => harness.textOf(c));
      expect(texts.length).toBeGreaterThanOrEqual(3);
      for (const t of texts) expect(t.length).toBeLessThanOrEqual(channel.limits.maxTextLength);
      expect(texts.join(' ').replace(/\s+/g, ' ').trim()).toBe(long.replace(/\s+/g, ' ').trim());
    });
  });
}
