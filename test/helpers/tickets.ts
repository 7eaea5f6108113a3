import type { TicketStore } from '../../src/store/tickets.js';

/**
 * Open one ticket asked by `count` Telegram chats, `firstChat` and the numbers after it (the first asks `wording`,
 * each other `wording` with its index); resolves with the ticket's number.
 */
export async function ticketAskedBy(tickets: TicketStore, firstChat: number, count: number, wording: string, at: string, others = wording): Promise<number> {
  const { ticket } = await tickets.open({ channel: 'telegram', chatId: String(firstChat), at, wording }, () => undefined);
  for (let i = 1; i < count; i++)
    await tickets.open({ channel: 'telegram', chatId: String(firstChat + i), at, wording: `${others} ${i}` }, () => ticket.number);
  return ticket.number;
}
