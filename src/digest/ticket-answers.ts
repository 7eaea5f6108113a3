import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ticketText } from '../copy/messages.js';
import type { Channel, ChannelId, OutboundMessage } from '../core/chat.js';
import type { BroadcastStore, Recipient } from '../store/broadcasts.js';
import { createMemoryLease, type Lease } from '../store/lock.js';
import { askerKey, type Asker, type Ticket, type TicketStore } from '../store/tickets.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { Broadcaster } from './broadcaster.js';
import { vnDateLabel } from './time.js';

/** Settings of the ticket answer delivery. */
export interface TicketDeliveryOptions {
  tickets: TicketStore;
  broadcasts: BroadcastStore;
  broadcaster: Broadcaster;
  channels: Map<ChannelId, Channel>;
  log: Logger;
  lease?: Lease;
  instanceId?: string;
  leaseTtlMs?: number;
}

/** The message an asker gets: their own wording, the ticket number, the answer as staff wrote it, signed and dated. */
export function ticketAnswerMessage(ticket: Pick<Ticket, 'number' | 'answer'>, asker: Pick<Asker, 'wording'>): OutboundMessage {
  const answer = ticket.answer!;
  return { text: ticketText.answer(ticket.number, asker.wording, answer.text, vnDateLabel(new Date(answer.at))) };
}

const broadcastId = (n: number) => `ticket:${n}`;

/**
 * Staff answers to tickets, delivered to every asker through the broadcaster (broadcast `ticket:<n>`: paced,
 * journalled, nobody twice, resumed after a crash). Askers the push does not reach (blocked, Zalo outside its
 * reply window, the web chat) are kept waiting: the conversation hands them the answer on their next message.
 * A lease per ticket makes one instance deliver it.
 */
export function createTicketDelivery(options: TicketDeliveryOptions) {
  const { tickets, broadcasts, broadcaster, log } = options;
  const lease = options.lease ?? createMemoryLease();
  const instanceId = options.instanceId ?? randomUUID();
  const leaseTtlMs = options.leaseTtlMs ?? 60_000;
  const sendingHere = new Set<number>();
  /** Tickets whose closing notice is being sent from here. */
  const tellingHere = new Set<number>();
  const failed = (n: number) => (err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err, ticket: n }, 'ticket answer delivery failed'));

  const tell = async (t: Ticket, text: string) => {
    const to = t.answer?.reportTo;
    const channel = to && options.channels.get(to.channel);
    if (!channel) return;
    const result = await channel.send(to.chatId, { text });
    if (!result.ok) log.warn({ reason: result.reason, ticket: t.number }, 'could not report to the staff chat');
  };

  const markDelivered = (n: number, keys: string[]) =>
    tickets.update(n, (t) => {
      if (!t.delivery) return undefined;
      const fresh = keys.filter((k) => !t.delivery!.delivered.includes(k));
      if (fresh.length === 0) return undefined;
      t.delivery.delivered.push(...fresh);
      t.delivery.waiting = t.delivery.waiting.filter((k) => !fresh.includes(k));
      return t;
    });

  async function deliverLeased(n: number): Promise<Ticket | undefined> {
    const name = broadcastId(n);
    if (!(await lease.acquire(name, instanceId, leaseTtlMs))) return undefined;
    const renew = setInterval(() => void lease.acquire(name, instanceId, leaseTtlMs).catch(() => undefined), leaseTtlMs / 3);
    try {
      const t = await tickets.get(n);
      if (!t?.answer || !t.delivery || t.delivery.finishedAt) return undefined;
      const spec = await broadcasts.get(name);
      const recipients: Recipient[] = t.askers.map((a) => ({ channel: a.channel, chatId: a.chatId }));
      if (!spec) await broadcasts.create({ id: name, kind: 'ticket', createdAt: new Date().toISOString(), params: { ticket: n } }, recipients);
      else if (spec.status === 'running') {
        // A crash between a send and its delivery record: the journal knows it was sent.
        const entries = await broadcasts.journalMany(name, recipients);
        await markDelivered(n, recipients.filter((_, i) => entries[i]?.state === 'done' && entries[i].outcome === 'sent').map(askerKey));
      }
      if (!spec || spec.status === 'running') {
        await broadcaster.run(name, (r) => {
          const asker = t.askers.find((a) => askerKey(a) === askerKey(r));
          return asker ? [ticketAnswerMessage(t, asker)] : [];
        });
      }
      const done = await tickets.update(n, (x) => {
        if (!x.delivery || x.delivery.finishedAt) return undefined;
        // Both lists in the order the askers asked, whatever order the sends finished in (the report reads the same each time).
        const delivered = new Set(x.delivery.delivered);
        const keys = x.askers.map(askerKey);
        x.delivery.delivered = [...keys.filter((k) => delivered.has(k)), ...x.delivery.delivered.filter((k) => !keys.includes(k))];
        x.delivery.waiting = keys.filter((k) => !delivered.has(k));
        x.delivery.finishedAt = new Date().toISOString();
        return x;
      });
      if (!done) return undefined;
      for (const key of done.delivery!.waiting) {
        const asker = done.askers.find((a) => askerKey(a) === key)!;
        await tickets.addWaiting(asker.channel, asker.chatId, n);
      }
      await tell(done, ticketText.report(n, done.delivery!.delivered.length, done.delivery!.waiting.length));
      return done;
    } finally {
      clearInterval(renew);
      await lease.release(name, instanceId).catch(() => undefined);
    }
  }

  return {
    /** Deliver the answer of ticket `n` (or resume its delivery); resolves with the ticket once every asker got it or waits for it. */
    async deliver(n: number): Promise<Ticket | undefined> {
      if (sendingHere.has(n)) return undefined;
      sendingHere.add(n);
      try {
        return await deliverLeased(n);
      } finally {
        sendingHere.delete(n);
      }
    },

    /**
     * Tell the askers of a closed ticket that no answer is coming (staff chose to: `closed.told`), through the
     * broadcaster (broadcast `ticket:<n>:closed`: journalled, nobody twice, resumed by the sweep after a crash);
     * `closed.toldAt` marks it done. One instance at a time (a lease).
     */
    async tellClosed(n: number): Promise<void> {
      const name = `${broadcastId(n)}:closed`;
      if (tellingHere.has(n)) return;
      tellingHere.add(n);
      try {
        if (!(await lease.acquire(name, instanceId, leaseTtlMs))) return;
        const renew = setInterval(() => void lease.acquire(name, instanceId, leaseTtlMs).catch(() => undefined), leaseTtlMs / 3);
        renew.unref();
        try {
          const t = await tickets.get(n);
          if (t?.status !== 'closed' || !t.closed?.told || t.closed.toldAt) return;
          // Created once, with the askers of that moment; a resumed run goes on from its journal.
          await broadcasts.create(
            { id: name, kind: 'ticket', createdAt: new Date().toISOString(), params: { ticket: n } },
            t.askers.map((a) => ({ channel: a.channel, chatId: a.chatId })),
          );
          await broadcaster.run(name, async (r) => {
            // Read again: an asker who erased their data meanwhile is skipped.
            const asker = (await tickets.get(n))?.askers.find((a) => askerKey(a) === askerKey(r));
            return asker ? [{ text: ticketText.closedNotice(n, asker.wording, t.closed?.reason) }] : [];
          });
          await tickets.update(n, (x) => (x.closed && !x.closed.toldAt ? { ...x, closed: { ...x.closed, toldAt: new Date().toISOString() } } : undefined));
        } finally {
          clearInterval(renew);
          await lease.release(name, instanceId).catch(() => undefined);
        }
      } finally {
        tellingHere.delete(n);
      }
    },

    /** Broadcaster delivery of one recipient: recorded on its ticket. */
    async delivered(id: string, recipient: Recipient): Promise<void> {
      const m = /^ticket:(\d+)$/.exec(id);
      if (m) await markDelivered(Number(m[1]), [askerKey(recipient)]);
    },

    /** Deliver answers, and closing notices, that an instance left unfinished (it died, or the store was down). */
    async sweep(): Promise<void> {
      for (const t of await tickets.all()) {
        if (t.answer && t.delivery && !t.delivery.finishedAt && !sendingHere.has(t.number)) await this.deliver(t.number).catch(failed(t.number));
        if (t.status === 'closed' && t.closed?.told && !t.closed.toldAt) await this.tellClosed(t.number).catch(failed(t.number));
      }
    },

    /** Start delivering in the background (the staff chat gets the report). */
    start(n: number): void {
      void this.deliver(n).catch(failed(n));
    },
  };
}

/** The ticket answer delivery's public face. */
export type TicketDelivery = ReturnType<typeof createTicketDelivery>;
