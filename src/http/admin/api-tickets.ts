import { z } from 'zod';
import type { TicketService, TicketView } from '../../assistant/tickets.js';
import { faqProblemText } from '../../assistant/faq.js';
import { consoleApiText as t } from '../../copy/messages.js';
import type { ChannelId } from '../../core/chat.js';
import { normalizeMessage } from '../../text/normalize.js';
import { previewMessage } from './api-announcements.js';
import { ApiError, type ApiRoute, type StaffUser } from './route.js';

/** Longest text accepted in a body before the service's own limit (one Zalo message) is checked. */
const MAX_TEXT_CHARS = 20_000;

/** Text as a chat message is read: NFC, without control or invisible characters, trimmed, line breaks kept. */
const textSchema = z.string({ error: t.textRequired }).max(MAX_TEXT_CHARS).transform(normalizeMessage);
/** `question`: the curated entry's question when `saveAsFaq` (staff wording; without it, the first wording). */
const answerSchema = z.object({
  text: textSchema,
  saveAsFaq: z.boolean().default(false),
  question: z.string().max(MAX_TEXT_CHARS).transform(normalizeMessage).optional(),
});
const closeSchema = z.object({ reason: z.string().max(500).transform(normalizeMessage).optional(), tell: z.boolean().default(false) });
const previewSchema = z.object({ text: textSchema });
const STATUSES = ['open', 'answered', 'closed'] as const;

/** A ticket's number from the path, or a 404 the page can show. */
function ticketNumber(params: Record<string, string>): number {
  const id = (params.id ?? '').replace(/^#/, '');
  if (!/^\d{1,9}$/.test(id)) throw new ApiError(404, t.ticketMissing(id.slice(0, 20)));
  return Number(id);
}

/** A refused action as the page shows it. */
function refused(problem: keyof typeof t.ticketProblem): ApiError {
  return new ApiError(problem === 'missing' ? 404 : problem === 'empty' || problem === 'too_long' ? 400 : 409, t.ticketProblem[problem]);
}

/** The staff member's own chat, where the report of an answer or a closing notice goes (their private chat with the bot). */
function reportChat(user: StaffUser): { channel: ChannelId; chatId: string } | undefined {
  const [channel, chatId] = [user.id.slice(0, user.id.indexOf(':')), user.id.slice(user.id.indexOf(':') + 1)];
  return (channel === 'telegram' || channel === 'zalo') && chatId ? { channel, chatId } : undefined;
}

/** A ticket as the list shows it. */
const listed = (x: TicketView) => ({
  number: x.number,
  status: x.status,
  askers: x.askerCount,
  firstWording: x.firstWording,
  createdAt: x.createdAt,
  updatedAt: x.updatedAt,
  ...(x.answer ? { answeredAt: x.answer.at } : {}),
  ...(x.delivery ? { delivery: x.delivery } : {}),
});

/**
 * `GET tickets[?status=]`, `GET tickets/:id`, `POST tickets/:id/preview|answer|close`: the same ticket service
 * as /cauhoi, /traloi and /dongcauhoi, acting as the signed-in staff member (audited by the service).
 */
export function createTicketApi(deps: { tickets: TicketService }): ApiRoute[] {
  const { tickets } = deps;
  const get = async (n: number) => {
    const ticket = await tickets.getTicket(n);
    if (!ticket) throw new ApiError(404, t.ticketMissing(String(n)));
    return ticket;
  };
  return [
    {
      method: 'GET',
      path: '/tickets',
      async handle({ query }) {
        const status = query.get('status') ?? 'open';
        if (!(STATUSES as readonly string[]).includes(status)) throw new ApiError(400, t.statusInvalid);
        return { json: { tickets: (await tickets.listTickets(status as (typeof STATUSES)[number])).map(listed) } };
      },
    },
    {
      method: 'GET',
      path: '/tickets/:id',
      handle: async ({ params }) => ({ json: { ticket: await get(ticketNumber(params)) } }),
    },
    {
      method: 'POST',
      path: '/tickets/:id/preview',
      body: previewSchema,
      async handle({ params, body, user, now }) {
        const n = ticketNumber(params);
        const message = await tickets.previewAnswer(n, body.text, user.id, now);
        if (!message) throw new ApiError(404, t.ticketMissing(String(n)));
        return { json: previewMessage(message) };
      },
    } satisfies ApiRoute<z.infer<typeof previewSchema>>,
    {
      method: 'POST',
      path: '/tickets/:id/answer',
      body: answerSchema,
      async handle({ params, body, user, now }) {
        const reportTo = reportChat(user);
        const outcome = await tickets.answerTicket(ticketNumber(params), body.text, {
          saveAsFaq: body.saveAsFaq,
          ...(body.saveAsFaq && body.question ? { question: body.question } : {}),
          by: user.id,
          at: now,
          ...(reportTo ? { reportTo } : {}),
        });
        if (!outcome.ok) throw refused(outcome.problem);
        return {
          json: {
            ticket: outcome.ticket,
            ...(outcome.faqId === undefined ? {} : { faqId: outcome.faqId }),
            ...(outcome.faqProblem === undefined ? {} : { faqError: faqProblemText(outcome.faqProblem) }),
          },
        };
      },
    } satisfies ApiRoute<z.infer<typeof answerSchema>>,
    {
      method: 'POST',
      path: '/tickets/:id/close',
      body: closeSchema,
      async handle({ params, body, user, now }) {
        const reportTo = reportChat(user);
        const outcome = await tickets.closeTicket(ticketNumber(params), {
          by: user.id,
          at: now,
          tell: body.tell,
          ...(reportTo ? { reportTo } : {}),
          ...(body.reason ? { reason: body.reason } : {}),
        });
        if (!outcome.ok) throw refused(outcome.problem);
        return { json: { ticket: outcome.ticket } };
      },
    } satisfies ApiRoute<z.infer<typeof closeSchema>>,
  ] as ApiRoute[];
}
