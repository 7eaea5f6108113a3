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

/** The closing notice an asker gets: their own wording, the ticket number, the reason when staff gave one. */
const closedNoticeMessage = (ticket: Pick<Ticket, 'number' | 'closed'>, asker: Pick<Asker, 'wording'>): OutboundMessage => ({
  text: ticketText.closedNotice(ticket.number, asker.wording, ticket.closed?.reason),
});

/**
 * The closing notice of ticket `n` if it waits for this chat (the ticket was closed and its askers told), marked
 * told as it is handed out; undefined for any other ticket (an answer waiting is the conversation's to hand out).
 */
export async function takeClosedNotice(tickets: TicketStore, n: number, chat: { channel: string; chatId: string }): Promise<OutboundMessage | undefined> {
  const key = askerKey(chat);
  const ticket = await tickets.update(n, (x) => {
    const notice = x.closed?.notice;
    if (x.status !== 'closed' || !notice || notice.delivered.includes(key)) return undefined;
    notice.delivered.push(key);
    notice.waiting = notice.waiting.filter((k) => k !== key);
    return x;
  });
  const asker = ticket?.askers.find((a) => askerKey(a) === key);
  return ticket && asker ? closedNoticeMessage(ticket, asker) : undefined;
}

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

  /** Send a report to the staff chat `to` (none: nobody asked for one). */
  const tell = async (n: number, to: { channel: ChannelId; chatId: string } | undefined, text: string) => {
    const channel = to && options.channels.get(to.channel);
    if (!channel) return;
    const result = await channel.send(to.chatId, { text });
    if (!result.ok) log.warn({ reason: result.reason, ticket: n }, 'could not report to the staff chat');
  };

  const markTold = (n: number, keys: string[]) =>
    tickets.update(n, (t) => {
      const notice = t.closed?.notice;
      if (!notice || t.closed?.toldAt) return undefined;
      const fresh = keys.filter((k) => !notice.delivered.includes(k));
      if (fresh.length === 0) return undefined;
      notice.delivered.push(...fresh);
      return t;
    });

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
      await tell(n, done.answer?.reportTo, ticketText.report(n, done.delivery!.delivered.length, done.delivery!.waiting.length));
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
     * broadcaster (broadcast `ticket:<n>:closed`: journalled, nobody twice, resumed by the sweep after a crash).
     * Askers the push does not reach wait for it like an answer (handed out on their next message, see
     * {@link takeClosedNotice}); `closed.toldAt` marks it done, and `closed.reportTo` gets the same report as an answer's.
     * One instance at a time (a lease).
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
          if (!t.closed.notice)
            await tickets.update(n, (x) =>
              x.closed && !x.closed.notice ? { ...x, closed: { ...x.closed, notice: { delivered: [], waiting: [] } } } : undefined,
            );
          const recipients: Recipient[] = t.askers.map((a) => ({ channel: a.channel, chatId: a.chatId }));
          const spec = await broadcasts.get(name);
          // Created once, with the askers of that moment; a resumed run goes on from its journal.
          if (!spec) await broadcasts.create({ id: name, kind: 'ticket', createdAt: new Date().toISOString(), params: { ticket: n } }, recipients);
          if (!spec || spec.status === 'running') {
            await broadcaster.run(name, async (r) => {
              // Read again: an asker who erased their data meanwhile is skipped.
              const asker = (await tickets.get(n))?.askers.find((a) => askerKey(a) === askerKey(r));
              return asker ? [closedNoticeMessage(t, asker)] : [];
            });
          }
          // The journal knows who was told, a crash between a send and its record included.
          const entries = await broadcasts.journalMany(name, recipients);
          await markTold(n, recipients.filter((_, i) => entries[i]?.state === 'done' && entries[i].outcome === 'sent').map(askerKey));
          // Whoever the push did not reach waits for their next message; noted before the notice is marked done.
          const now = await tickets.get(n);
          if (!now?.closed?.notice) return;
          const told = new Set(now.closed.notice.delivered);
          const waiting = now.askers.filter((a) => !told.has(askerKey(a)));
          for (const a of waiting) await tickets.addWaiting(a.channel, a.chatId, n);
          const done = await tickets.update(n, (x) => {
            if (!x.closed?.notice || x.closed.toldAt) return undefined;
            const delivered = new Set(x.closed.notice.delivered);
            const keys = x.askers.map(askerKey);
            x.closed.notice = { delivered: keys.filter((k) => delivered.has(k)), waiting: keys.filter((k) => !delivered.has(k)) };
            x.closed.toldAt = new Date().toISOString();
            return x;
          });
          if (!done?.closed?.notice) return;
          await tell(n, done.closed.reportTo, ticketText.closedReport(n, done.closed.notice.delivered.length, done.closed.notice.waiting.length));
        } finally {
          clearInterval(renew);
          await lease.release(name, instanceId).catch(() => undefined);
        }
      } finally {
        tellingHere.delete(n);
      }
    },

    /** Broadcaster delivery of one recipient (an answer or a closing notice): recorded on its ticket. */
    async delivered(id: string, recipient: Recipient): Promise<void> {
      const m = /^ticket:(\d+)(:closed)?$/.exec(id);
      if (m?.[2]) await markTold(Number(m[1]), [askerKey(recipient)]);
      else if (m) await markDelivered(Number(m[1]), [askerKey(recipient)]);
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
