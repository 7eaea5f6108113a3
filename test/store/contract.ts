import type { KeyvStoreAdapter } from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BroadcastReport } from '../../src/digest/broadcaster.js';
import { createBroadcastStore, RECIPIENT_BATCH, type Recipient } from '../../src/store/broadcasts.js';
import type { Lease } from '../../src/store/lock.js';
import { conversationData, createPseudonyms, expirePersonalData, inboxData, type Person } from '../../src/store/personal.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore, subscriberKey, type Subscriber } from '../../src/store/subscriptions.js';
import { createTicketStore, type Asker } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';

/** One backend's state for one test: adapters on it, leases on it, and how to let time pass for leases. */
export interface StoreBackend {
  /** A new adapter on this test's state (the stores ask for one per namespace). */
  adapter(): Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  /** `count` leases on this test's state, each on its own connection (as separate instances hold them). */
  leases(count: number): Promise<Lease[]>;
  /** Let `ms` pass as the leases see time (a fake clock, or real waiting when the server keeps time). */
  advance(ms: number): Promise<void>;
  /** Close every connection opened and remove the state. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = silentLogger();

const subscriber = (chatId: string, hour = 7, channel: Subscriber['channel'] = 'telegram'): Subscriber => ({
  channel,
  chatId,
  topics: [],
  provinces: [],
  hour,
  paused: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const report = (id: string, sent: number): BroadcastReport => ({
  id,
  total: sent,
  sent,
  blocked: 0,
  failed: 0,
  skipped: 0,
  maybeDuplicated: 0,
  got429: 0,
  remaining: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:05:00.000Z',
});

/**
 * The store contract: what createStores, createSubscriptionStore, createBroadcastStore and the Lease promise,
 * whatever adapter they run on. Each backend registers it with a factory giving a fresh state per test.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreBackend>): void {
  describe(`store contract: ${name}`, () => {
    let backend: StoreBackend;
    beforeEach(async () => {
      backend = await open();
    });
    afterEach(async () => {
      await backend.close();
    });

    describe('stores (chat, feedback, unanswered)', () => {
      it('keeps values per namespace: the same key in two namespaces is two values', async () => {
        const stores = await createStores({ adapter: () => backend.adapter(), log });
        await stores.chats.set('telegram:1', { lastQuestion: 'Quỹ "Vì người nghèo" là gì?', lastAt: 1 });
        await stores.feedback.set('telegram:1', { channel: 'telegram', chatId: '1', question: 'q', sourceIds: ['a'], vote: 'up', at: 't' });
        expect(await stores.chats.get('telegram:1')).toEqual({ lastQuestion: 'Quỹ "Vì người nghèo" là gì?', lastAt: 1 });
        expect((await stores.feedback.get('telegram:1'))?.vote).toBe('up');
        expect(await stores.unanswered.get('telegram:1')).toBeUndefined();
        await stores.chats.delete('telegram:1');
        expect(await stores.chats.get('telegram:1')).toBeUndefined();
        expect((await stores.feedback.get('telegram:1'))?.vote).toBe('up');
        await stores.close();
      });

      it('reads and deletes many keys at once, in order, with gaps for absent ones', async () => {
        const stores = await createStores({ adapter: () => backend.adapter(), log });
        await stores.chats.set('zalo:a', { lastAt: 1 });
        await stores.chats.set('zalo:c', { lastAt: 3 });
        await stores.feedback.set('zalo:b', { channel: 'zalo', chatId: 'b', question: 'q', sourceIds: [], vote: 'down', at: 't' });
        expect(await stores.chats.getMany(['zalo:a', 'zalo:b', 'zalo:c'])).toEqual([{ lastAt: 1 }, undefined, { lastAt: 3 }]);
        expect(await stores.chats.deleteMany(['zalo:a', 'zalo:c'])).toBe(true);
        expect(await stores.chats.getMany(['zalo:a', 'zalo:c'])).toEqual([undefined, undefined]);
        expect((await stores.feedback.get('zalo:b'))?.vote).toBe('down');
        await stores.close();
      });

      it('lets a value with a time to live expire, and keeps one without', async () => {
        const stores = await createStores({ adapter: () => backend.adapter(), log });
        await stores.chats.set('telegram:ttl', { lastAt: 1 }, 150);
        await stores.chats.set('telegram:kept', { lastAt: 2 });
        expect(await stores.chats.get('telegram:ttl')).toEqual({ lastAt: 1 });
        await sleep(250);
        expect(await stores.chats.get('telegram:ttl')).toBeUndefined();
        expect(await stores.chats.getMany(['telegram:ttl', 'telegram:kept'])).toEqual([undefined, { lastAt: 2 }]);
        await stores.close();
      });

      it('lists one namespace with its iterator (staff reads unanswered questions this way)', async () => {
        const stores = await createStores({ adapter: () => backend.adapter(), log });
        const record = (question: string) => ({ channel: 'web', chatId: 's', question, confidence: 0.1, closest: [], at: 't' });
        await stores.unanswered.set('web:1', record('lịch thi đấu bóng đá'));
        await stores.unanswered.set('web:2', record('cách làm bánh chưng'));
        await stores.chats.set('web:3', { lastAt: 3 });
        const seen: [string, unknown][] = [];
        for await (const [key, value] of stores.unanswered.iterator!(undefined)) seen.push([key, (value as { question: string }).question]);
        expect(seen.sort()).toEqual([
          ['web:1', 'lịch thi đấu bóng đá'],
          ['web:2', 'cách làm bánh chưng'],
        ]);
        await stores.close();
      });

      it('keeps what was written across a close and a new connection', async () => {
        const first = await createStores({ adapter: () => backend.adapter(), log });
        await first.chats.set('telegram:9', { lastQuestion: 'còn Gia Lai thì sao?' });
        await first.close();
        const second = await createStores({ adapter: () => backend.adapter(), log });
        expect(await second.chats.get('telegram:9')).toEqual({ lastQuestion: 'còn Gia Lai thì sao?' });
        await second.close();
      });
    });

    describe('subscriptions', () => {
      it('puts, gets, lists by hour, moves between hours and removes', async () => {
        const store = await createSubscriptionStore({ adapter: () => backend.adapter(), log });
        await store.put(subscriber('1', 7));
        await store.put(subscriber('2', 7, 'zalo'));
        await store.put(subscriber('3', 19));
        expect((await store.get('telegram', '1'))?.hour).toBe(7);
        expect(await store.get('telegram', 'nobody')).toBeUndefined();
        expect((await store.keysAt(7)).sort()).toEqual(['telegram:1', 'zalo:2']);
        expect(await store.keysAt(19)).toEqual(['telegram:3']);
        await store.put({ ...subscriber('1', 19), topics: ['an-sinh'] });
        expect(await store.keysAt(7)).toEqual(['zalo:2']);
        expect((await store.keysAt(19)).sort()).toEqual(['telegram:1', 'telegram:3']);
        expect((await store.get('telegram', '1'))?.topics).toEqual(['an-sinh']);
        expect(await store.remove('zalo', '2')).toBe(true);
        expect(await store.remove('zalo', '2')).toBe(false);
        expect(await store.keysAt(7)).toEqual([]);
        expect((await store.allKeys()).sort()).toEqual(['telegram:1', 'telegram:3']);
        const records = await store.getMany(['telegram:3', 'zalo:2', 'telegram:1']);
        expect(records.map((r) => r?.chatId)).toEqual(['3', undefined, '1']);
        await store.close();
      });

      it('remembers deliveries apart from the record, and forgets them with the subscriber', async () => {
        const store = await createSubscriptionStore({ adapter: () => backend.adapter(), log });
        await store.put(subscriber('1'));
        await store.put(subscriber('2'));
        await store.markDelivered('telegram:1', { day: '2026-03-01', untilMs: 1_000 });
        expect(await store.lastDelivered(['telegram:1', 'telegram:2'])).toEqual([{ day: '2026-03-01', untilMs: 1_000 }, undefined]);
        await store.put({ ...subscriber('1'), paused: true });
        expect(await store.lastDelivered(['telegram:1'])).toEqual([{ day: '2026-03-01', untilMs: 1_000 }]);
        await store.remove('telegram', '1');
        expect(await store.lastDelivered(['telegram:1'])).toEqual([undefined]);
        await store.close();
      });

      it('loses none of 500 concurrent puts into the same index lists, and reads them back after a restart', async () => {
        const store = await createSubscriptionStore({ adapter: () => backend.adapter(), log });
        await Promise.all(Array.from({ length: 500 }, (_, i) => store.put(subscriber(String(i), i % 5 === 0 ? 20 : 6))));
        expect((await store.keysAt(6)).length).toBe(400);
        expect((await store.keysAt(20)).length).toBe(100);
        await store.close();
        const again = await createSubscriptionStore({ adapter: () => backend.adapter(), log });
        const keys = await again.allKeys();
        expect(new Set(keys).size).toBe(500);
        const records = await again.getMany(keys);
        expect(records.every((r, i) => r !== undefined && subscriberKey(r.channel, r.chatId) === keys[i])).toBe(true);
        await again.close();
      });
    });

    // Without leases, two stores putting 500 subscribers each at one hour listed 632 of 1,000 on Redis
    // (read-modify-write across instances loses entries); with a lease per list none is lost.
    it('subscriptions: loses none of the concurrent puts of two instances into the same index lists', async () => {
      const [leaseA, leaseB] = await backend.leases(2);
      const a = await createSubscriptionStore({ adapter: () => backend.adapter(), log, lease: leaseA });
      const b = await createSubscriptionStore({ adapter: () => backend.adapter(), log, lease: leaseB });
      await Promise.all([
        ...Array.from({ length: 300 }, (_, i) => a.put(subscriber(`a${i}`, 9))),
        ...Array.from({ length: 300 }, (_, i) => b.put(subscriber(`b${i}`, 9))),
      ]);
      expect(new Set(await a.keysAt(9)).size).toBe(600);
      await Promise.all([a.close(), b.close()]);
    });

    describe('broadcasts', () => {
      const recipients = (n: number): Recipient[] =>
        Array.from({ length: n }, (_, i) => ({ channel: i % 2 ? 'zalo' : 'telegram', chatId: `c${i}`, topics: ['an-sinh'], sinceMs: i }));

      it('creates a broadcast once, in batches, and journals its recipients', async () => {
        const store = await createBroadcastStore({ adapter: () => backend.adapter(), log });
        const list = recipients(RECIPIENT_BATCH * 2 + 7);
        const spec = { id: 'digest:2026-03-01T07', kind: 'digest' as const, createdAt: 't', params: { day: '2026-03-01', hour: 7 } };
        expect(await store.create(spec, list)).toBe(true);
        expect(await store.create(spec, recipients(3))).toBe(false);
        expect(await store.get(spec.id)).toMatchObject({ total: list.length, batches: 3, status: 'running' });
        expect(await store.recipients(spec.id, 0)).toEqual(list.slice(0, RECIPIENT_BATCH));
        expect(await store.recipients(spec.id, 2)).toEqual(list.slice(RECIPIENT_BATCH * 2));
        expect(await store.recipients(spec.id, 3)).toEqual([]);
        expect(await store.running()).toEqual([spec.id]);

        await store.journal(spec.id, list[0]!, { state: 'done', outcome: 'sent' });
        await store.journal(spec.id, list[1]!, { state: 'sending', part: 0 });
        await store.journal(spec.id, list[2]!, { state: 'partial', next: 1 });
        expect(await store.journalMany(spec.id, list.slice(0, 4))).toEqual([
          { state: 'done', outcome: 'sent' },
          { state: 'sending', part: 0 },
          { state: 'partial', next: 1 },
          undefined,
        ]);
        expect(await store.journalMany(spec.id, [])).toEqual([]);
        await store.close();
      });

      it('finishes: not running any more, the report kept, the journal and batches dropped', async () => {
        const store = await createBroadcastStore({ adapter: () => backend.adapter(), log });
        const list = recipients(12);
        await store.create({ id: 'a1', kind: 'announcement', createdAt: 't', params: { announcement: 'x' } }, list);
        await store.create({ id: 'd1', kind: 'digest', createdAt: 't', params: {} }, list);
        for (const r of list) await store.journal('a1', r, { state: 'done', outcome: 'sent' });
        expect((await store.running()).sort()).toEqual(['a1', 'd1']);
        await store.finish('a1', report('a1', 12));
        expect(await store.running()).toEqual(['d1']);
        expect(await store.get('a1')).toMatchObject({ status: 'done', report: { sent: 12 } });
        expect(await store.lastReport('announcement')).toEqual(report('a1', 12));
        expect(await store.lastReport('digest')).toBeUndefined();
        expect((await store.journalMany('a1', list)).every((e) => e === undefined)).toBe(true);
        expect(await store.recipients('a1', 0)).toEqual([]);
        await store.finish('d1', report('d1', 12));
        expect(await store.running()).toEqual([]);
        await store.finish('nope', report('nope', 0));
        await store.setMark('last-slot', '2026-03-01T07');
        expect(await store.getMark('last-slot')).toBe('2026-03-01T07');
        await store.close();
        const again = await createBroadcastStore({ adapter: () => backend.adapter(), log });
        expect(await again.running()).toEqual([]);
        expect((await again.lastReport('digest'))?.id).toBe('d1');
        await again.close();
      });
    });

    describe('tickets', () => {
      const asker = (channel: Asker['channel'], chatId: string, wording: string, at = '2026-12-01T01:00:00.000Z'): Asker => ({ channel, chatId, wording, at });
      const byWording = (word: string) => (open: { number: number; askers: Asker[] }[]) =>
        open.find((t) => t.askers.some((a) => a.wording.includes(word)))?.number;

      it('numbers tickets 1, 2, 3 across instances racing, joins an open one, never adds a chat twice, survives a reopen', async () => {
        const leases = await backend.leases(3);
        const stores = await Promise.all(leases.map((lease) => createTicketStore({ adapter: () => backend.adapter(), log, lease })));
        const made = await Promise.all(stores.map((s, i) => s.open(asker('telegram', `c${i}`, `câu hỏi số ${i}`), () => undefined)));
        expect(made.map((m) => m.ticket.number).sort()).toEqual([1, 2, 3]);
        const joined = await stores[0]!.open(asker('zalo', 'z1', 'hỏi lại câu hỏi số 1'), byWording('số 1'));
        expect(joined).toMatchObject({ joined: true, repeated: false });
        const again = await stores[1]!.open(asker('zalo', 'z1', 'câu hỏi số 1 nữa'), byWording('số 1'));
        expect(again.repeated).toBe(true);
        await Promise.all(stores.map((s) => s.close()));
        const reopened = await createTicketStore({ adapter: () => backend.adapter(), log, lease: leases[0] });
        const ticket = await reopened.get(joined.ticket.number);
        expect(ticket?.askers.map((a) => `${a.channel}:${a.chatId}`)).toEqual([`telegram:c1`, 'zalo:z1']);
        expect((await reopened.mine('zalo', 'z1')).map((t) => t.number)).toEqual([joined.ticket.number]);
        expect((await reopened.open(asker('web', 'w', 'khác hẳn'), () => undefined)).ticket.number).toBe(4);
        await reopened.close();
      });

      it('closes out of the open list, hands a waiting answer out once, and forgets an asker keeping only counts', async () => {
        const store = await createTicketStore({ adapter: () => backend.adapter(), log });
        const { ticket } = await store.open(asker('telegram', '1', 'Hỏi về hộ nghèo'), () => undefined);
        await store.open(asker('zalo', 'z', 'hộ nghèo được gì'), () => ticket.number);
        await store.update(ticket.number, (t) => ({
          ...t,
          status: 'answered',
          answer: { text: 'Trả lời', by: 'telegram:9', at: 'x' },
          delivery: { startedAt: 'x', delivered: ['telegram:1'], waiting: ['zalo:z'] },
        }));
        expect(await store.openTickets()).toEqual([]);
        await store.addWaiting('zalo', 'z', ticket.number);
        await store.addWaiting('zalo', 'z', ticket.number);
        expect(await store.takeWaiting('zalo', 'z')).toEqual([ticket.number]);
        expect(await store.takeWaiting('zalo', 'z')).toEqual([]);
        expect(await store.forgetAsker('telegram', '1')).toBe(1);
        const after = await store.get(ticket.number);
        expect(JSON.stringify(after)).not.toContain('Hỏi về hộ nghèo');
        expect(JSON.stringify(after)).not.toContain('telegram:1');
        expect(after).toMatchObject({ forgottenAskers: 1, delivery: { forgottenDelivered: 1, delivered: [], waiting: ['zalo:z'] } });
        expect(await store.mine('telegram', '1')).toEqual([]);
        await store.close();
      });
    });

    describe('personal data', () => {
      it('erases one person’s chat state, records and inbox entries, keeps the others’, and expires only old records', async () => {
        const stores = await createStores({ adapter: () => backend.adapter(), log });
        const staff = await createStaffStore({ adapter: () => backend.adapter(), log });
        const pseudonyms = await createPseudonyms({ adapter: () => backend.adapter(), log });
        const now = new Date('2026-12-07T10:00:00+07:00');
        const old = new Date(now.getTime() - 400 * 86_400_000);
        const gone = { channel: 'telegram', chatId: '9001', pseudonym: await pseudonyms.of('telegram', '9001') };
        const stays = { channel: 'zalo', chatId: 'z-9002', pseudonym: await pseudonyms.of('zalo', 'z-9002') };
        expect(await pseudonyms.of('telegram', '9001')).toBe(gone.pseudonym);
        for (const [p, at] of [
          [gone, now],
          [gone, old],
          [stays, now],
          [stays, old],
        ] as const) {
          await stores.recordUnanswered(
            { channel: p.channel, chatId: p.chatId, question: `câu hỏi của ${p.chatId}`, confidence: 0, closest: [], at: at.toISOString() },
            at,
          );
          await stores.recordFeedback(
            { channel: p.channel, chatId: p.chatId, question: `góp ý của ${p.chatId}`, sourceIds: [], vote: 'down', at: at.toISOString() },
            at,
          );
          await staff.inbox.append({ at: at.toISOString(), channel: p.channel, question: `câu hỏi của ${p.chatId}`, reason: 'unanswered', asker: p.pseudonym });
        }
        await stores.chats.set('telegram:9001', { lastQuestion: 'câu hỏi của 9001' });
        const sources = [conversationData(stores), inboxData(staff)];
        const described = async (p: Person) => (await Promise.all(sources.map((s) => s.describe(p, now)))).flat();
        expect((await described(gone)).map((i) => `${i.kind} ${i.count}`).sort()).toEqual(['chat 1', 'feedback 2', 'inbox 2', 'unanswered 2']);

        const erased = (await Promise.all(sources.map((s) => s.erase(gone, now)))).flat();
        expect(erased.map((i) => `${i.kind} ${i.count}`).sort()).toEqual(['chat 1', 'feedback 2', 'inbox 2', 'unanswered 2']);
        expect(await described(gone)).toEqual([]);
        expect(await stores.chats.get('telegram:9001')).toBeUndefined();
        expect((await staff.inbox.latest(10, now, 500)).map((e) => e.question)).toEqual(['câu hỏi của z-9002', 'câu hỏi của z-9002']);

        expect(await expirePersonalData(sources, new Date(now.getTime() - 365 * 86_400_000))).toEqual({ conversation: 2, inbox: 1 });
        expect((await described(stays)).map((i) => `${i.kind} ${i.count}`).sort()).toEqual(['feedback 1', 'inbox 1', 'unanswered 1']);
        await Promise.all([stores.close(), staff.close(), pseudonyms.close()]);
      });
    });

    describe('leases', () => {
      it('one holder, renewal, expiry and take-over, release only by the holder', async () => {
        const [a, b] = await backend.leases(2);
        expect(await a!.acquire('slot', 'a', 300)).toBe(true);
        expect(await b!.acquire('slot', 'b', 300)).toBe(false);
        expect(await a!.acquire('slot', 'a', 300)).toBe(true); // renewal
        await backend.advance(400);
        expect(await b!.acquire('slot', 'b', 300)).toBe(true); // expired: taken over
        expect(await a!.acquire('slot', 'a', 300)).toBe(false);
        await a!.release('slot', 'a'); // not the holder: no effect
        expect(await a!.acquire('slot', 'a', 300)).toBe(false);
        await b!.release('slot', 'b');
        expect(await a!.acquire('slot', 'a', 300)).toBe(true);
        expect(await b!.acquire('other', 'b', 300)).toBe(true); // leases are independent
      });

      it('a renewal keeps the lease past its first time to live', async () => {
        const [a, b] = await backend.leases(2);
        expect(await a!.acquire('job', 'a', 300)).toBe(true);
        await backend.advance(200);
        expect(await a!.acquire('job', 'a', 300)).toBe(true);
        await backend.advance(200);
        expect(await b!.acquire('job', 'b', 300)).toBe(false);
      });

      it('gives a lease to exactly one of ten instances racing for it', async () => {
        const leases = await backend.leases(10);
        const won = await Promise.all(leases.map((l, i) => l.acquire('race', `i${i}`, 5_000)));
        expect(won.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}
