import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type WebReply } from '../../src/http/server.js';
import { silentLogger } from '../helpers/logger.js';
import { expectListThenNumberedCards, sharedStateDir, slowOn, subscribingInstance, type StateDir } from '../helpers/ordering.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One instance's HTTP server whose answer to "/tim Mặt trận" is slow; returns how to post to its chat API. */
async function webInstance(state: StateDir = {}) {
  const instance = await subscribingInstance(state);
  cleanups.push(instance.close);
  const handle = slowOn('/tim Mặt trận', 400, (m) => instance.conversation.handle(m));
  const server: Server = createHttpServer({ conversation: { handle }, log: silentLogger(), lease: instance.lease });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat`;
  return async (text: string): Promise<string> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: 'phien-1', text }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: WebReply[] }).replies.map((r) => r.text).join('\n\n');
  };
}

/** Post each text to its instance 60 ms after the one before, without waiting for answers; the answers, in posting order. */
async function postStaggered(posts: [(text: string) => Promise<string>, string][]): Promise<string[]> {
  const answers: Promise<string>[] = [];
  for (const [post, text] of posts) {
    answers.push(post(text));
    await new Promise((r) => setTimeout(r, 60));
  }
  return Promise.all(answers);
}

describe('web chat: one conversation in order', () => {
  it('answers "1", "2", "3" sent while "/tim …" is still being answered after it, each opening its article', async () => {
    const post = await webInstance();
    expectListThenNumberedCards(
      await postStaggered([
        [post, '/tim Mặt trận'],
        [post, '1'],
        [post, '2'],
        [post, '3'],
      ]),
    );
  });

  it('keeps that order across two instances sharing one store, whichever instance each request reaches', async () => {
    const state = await sharedStateDir();
    cleanups.push(state.remove);
    const a = await webInstance(state);
    const b = await webInstance(state);
    expectListThenNumberedCards(
      await postStaggered([
        [a, '/tim Mặt trận'],
        [b, '1'],
        [a, '2'],
        [b, '3'],
      ]),
    );
  });
});
