import type { Logger } from 'pino';
import { formatDate, staffText, ticketText as t } from '../copy/messages.js';
import type { ChannelId, InboundMessage, OutboundMessage } from '../core/chat.js';
import { ticketAnswerMessage, type TicketDelivery } from '../digest/ticket-answers.js';
import { foldToken, tokenize } from '../search/analyzer.js';
import type { Lexicon } from '../search/lexicon.js';
import type { AuditEntry, StaffStore } from '../store/staff.js';
import type { ChatState } from '../store/stores.js';
import { askerKey, type Ticket, type TicketStore } from '../store/tickets.js';
import type { ConversationFlow, TicketDesk } from './conversation.js';
import { contentWords, similar } from './staff.js';

/** Longest staff answer: one Zalo message with the question and the signature around it. */
const MAX_ANSWER_CHARS = 1500;

/** Dependencies of the ticket flow. */
export interface TicketFlowOptions {
  tickets: TicketStore;
  delivery: TicketDelivery;
  staff: StaffStore;
  lexicon: Lexicon;
  /** Whether the sender may use staff commands (the staff flow decides). */
  roleOf(msg: InboundMessage): Promise<'admin' | 'staff' | 'citizen'>;
  log: Logger;
}

/** "tôi muốn hỏi cán bộ …", "gặp cán bộ", "cho mình hỏi cán bộ Mặt trận: …" (folded words), with the question after it. */
const ASK_STAFF =
  /^(?:(?:toi|minh|em|chau|cho toi|cho minh|cho em|xin|ad|ad oi)\s+)*(?:muon\s+|can\s+|duoc\s+)*(?:hoi|gap|noi chuyen voi|lien he)\s+(?:truc tiep\s+)?can bo(?:\s+mat tran(?:\s+to quoc)?)?(?:\s+(?:a|voi|nhe|duoc khong))*(?:\s+(?:ve|la|rang))?\s*(.*)$/;

/** The question a request to talk to staff carries ("tôi muốn hỏi cán bộ về X" → "X"), or '' for a bare request; undefined when it is not one. */
export function readStaffRequest(text: string): string | undefined {
  const words = tokenize(text);
  const folded = words.map(foldToken).join(' ');
  const m = ASK_STAFF.exec(folded);
  if (!m) return undefined;
  const restWords = m[1] ? m[1].split(' ').length : 0;
  return words.slice(words.length - restWords).join(' ');
}

/** The ticket flow: a conversation flow, the conversation's ticket desk, "gặp cán bộ" and the /thongke line. */
export interface TicketFlow extends ConversationFlow, TicketDesk {
  /** Hand `question` (or, when empty, the chat's previous question) to staff; the reply with the ticket number. */
  askStaff(msg: InboundMessage, state: ChatState, question: string, at: Date): Promise<OutboundMessage[]>;
  stats(): Promise<string>;
}

const who = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;

/**
 * Tickets: the citizen's side (a question handed to staff by "no information", /hoicanbo or "gặp cán bộ";
 * /cauhoicuatoi; answers waiting for the next message) and the staff side (/cauhoi, /traloi with preview and
 * [Gửi] [Gửi và lưu thành hỏi đáp] [Hủy], /dongcauhoi with [Báo cho người hỏi]). Alike questions join the
 * open ticket `/cauhoi` would group them into.
 */
export function createTicketFlow(options: TicketFlowOptions): TicketFlow {
  const { tickets, delivery, staff, lexicon, log } = options;

  async function audit(msg: InboundMessage, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string): Promise<void> {
    await staff.audit
      .append({ at: at.toISOString(), who: who(msg), action, detail: detail?.slice(0, 200), outcome })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  /** Open a ticket for `question` or join the open one it is alike; the ticket's number. */
  async function open(msg: InboundMessage, question: string, at: Date): Promise<number> {
    const words = contentWords(question, lexicon);
    const pick = (list: Ticket[]) =>
      list.find(
        (x) =>
          x.askers.some((a) => askerKey(a) === askerKey(msg) && a.wording === question) ||
          x.askers.some((a) => similar(contentWords(a.wording, lexicon), words)),
      )?.number;
    const { ticket } = await tickets.open({ channel: msg.channel, chatId: msg.chatId, at: at.toISOString(), wording: question }, pick);
    return ticket.number;
  }

  /** Answers that waited for this chat, each with a line saying so (marked delivered as they are handed out). */
  async function waiting(msg: InboundMessage): Promise<OutboundMessage[]> {
    const numbers = await tickets.takeWaiting(msg.channel, msg.chatId);
    const out: OutboundMessage[] = [];
    for (const n of numbers) {
      const key = askerKey(msg);
      const ticket = await tickets.update(n, (x) => {
        if (!x.delivery || x.delivery.delivered.includes(key)) return undefined;
        x.delivery.delivered.push(key);
        x.delivery.waiting = x.delivery.waiting.filter((k) => k !== key);
        return x;
      });
      const asker = ticket?.askers.find((a) => askerKey(a) === key);
      if (ticket?.answer && asker) out.push({ text: `${t.waitedLine}\n\n${ticketAnswerMessage(ticket, asker).text}` });
    }
    return out;
  }

  async function askStaff(msg: InboundMessage, state: ChatState, question: string, at: Date): Promise<OutboundMessage[]> {
    const asked = question.trim() || state.optionsFor || state.lastQuestion;
    if (!asked) return [{ text: t.askUsage }];
    return [{ text: t.opened(await open(msg, asked, at)) }];
  }

  function firstWording(x: Ticket): string {
    return x.askers[0]?.wording ?? t.erased;
  }

  async function list(n: number, at: Date): Promise<OutboundMessage> {
    const open = await tickets.openTickets();
    if (open.length === 0) return { text: t.listEmpty };
    const count = (x: Ticket) => x.askers.length + (x.forgottenAskers ?? 0);
    const sorted = open.sort((a, b) => count(b) - count(a) || Date.parse(a.createdAt) - Date.parse(b.createdAt)).slice(0, n);
    const lines = sorted.map((x) => t.listLine(x.number, count(x), firstWording(x), t.age(at.getTime() - Date.parse(x.createdAt))));
    return { text: [t.listTitle(sorted.length, open.length), ...lines, '', t.listHint].join('\n') };
  }

  const isStaff = async (msg: InboundMessage) => (await options.roleOf(msg)) !== 'citizen';

  async function command(msg: InboundMessage, state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    switch (name) {
      case 'hoicanbo':
        return askStaff(msg, state, args, at);
      case 'cauhoicuatoi': {
        const mine = await tickets.mine(msg.channel, msg.chatId);
        if (mine.length === 0) return [{ text: t.mineNone }];
        const key = askerKey(msg);
        const lines = mine.slice(0, 10).map((x) => {
          const asker = x.askers.find((a) => askerKey(a) === key);
          return t.mineLine(x.number, asker?.wording ?? firstWording(x), x.status, formatDate(asker?.at ?? x.createdAt) ?? '');
        });
        return [{ text: [t.mineTitle, ...lines].join('\n') }];
      }
      case 'cauhoi':
      case 'traloi':
      case 'dongcauhoi':
        break;
      default:
        return undefined;
    }
    // The old inbox (low confidence, 👎) stays with the staff flow; so does the refusal of citizens.
    if (name === 'cauhoi' && /^phan ?hoi$/i.test(args.trim())) return undefined;
    if (!(await isStaff(msg))) {
      if (name === 'cauhoi') return undefined;
      log.warn({ who: who(msg), command: name }, 'staff command refused');
      await audit(msg, at, `/${name}`, 'denied');
      return [{ text: staffText.denied }];
    }
    if (name === 'cauhoi') {
      await audit(msg, at, '/cauhoi', 'ok', args);
      return [await list(Math.min(Math.max(Number(args) || 10, 1), 30), at)];
    }
    const m = /^#?(\d+)(?:\s+([\s\S]*))?$/.exec(args.replace(/\r\n?/g, '\n').trim());
    if (!m) return [{ text: name === 'traloi' ? t.answerUsage : t.closeUsage }];
    const ticket = await tickets.get(Number(m[1]));
    if (!ticket) return [{ text: t.missing(m[1]!) }];
    if (ticket.status !== 'open') return [{ text: t.notOpen(ticket.number) }];
    const text = (m[2] ?? '').trim();
    if (name === 'traloi') {
      if (!text) return [{ text: t.answerUsage }];
      if (text.length > MAX_ANSWER_CHARS) return [{ text: staffText.announceTooLong(MAX_ANSWER_CHARS) }];
      state.ticketDraft = { number: ticket.number, text };
      await audit(msg, at, '/traloi', 'ok', `#${ticket.number} xem trước`);
      const preview = ticketAnswerMessage({ number: ticket.number, answer: { text, by: who(msg), at: at.toISOString() } }, { wording: firstWording(ticket) });
      return [
        { text: t.previewHead(ticket.number, ticket.askers.length) },
        preview,
        {
          text: t.choose,
          buttons: [
            [{ label: t.buttonSend, data: 'tk:send' }],
            [{ label: t.buttonSendAndSave, data: 'tk:save' }],
            [{ label: t.buttonCancel, data: 'tk:cancel' }],
          ],
        },
      ];
    }
    const closed = await tickets.update(ticket.number, (x) =>
      x.status === 'open'
        ? { ...x, status: 'closed', updatedAt: at.toISOString(), closed: { by: who(msg), at: at.toISOString(), ...(text ? { reason: text } : {}) } }
        : undefined,
    );
    if (!closed) return [{ text: t.notOpen(ticket.number) }];
    await audit(msg, at, '/dongcauhoi', 'ok', `#${ticket.number}${text ? ` ${text}` : ''}`);
    return [{ text: t.closed(ticket.number), buttons: [[{ label: t.buttonTell, data: `tk:tell:${ticket.number}` }]] }];
  }

  async function press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!data.startsWith('tk:')) return undefined;
    if (!(await isStaff(msg))) {
      await audit(msg, at, data, 'denied');
      return [{ text: staffText.denied }];
    }
    if (data.startsWith('tk:tell:')) {
      const n = Number(data.slice('tk:tell:'.length));
      const told = await tickets.update(n, (x) =>
        x.status === 'closed' && x.closed && !x.closed.told ? { ...x, closed: { ...x.closed, told: true } } : undefined,
      );
      if (!told) return [{ text: t.notOpen(n) }];
      await audit(msg, at, '/dongcauhoi', 'ok', `#${n} báo cho người hỏi`);
      void delivery.tellClosed(n).catch((err: unknown) => log.error({ err, ticket: n }, 'could not tell the askers'));
      return [{ text: t.told(n) }];
    }
    const draft = state.ticketDraft;
    if (!draft) return [{ text: t.noDraft }];
    state.ticketDraft = undefined;
    if (data === 'tk:cancel') {
      await audit(msg, at, '/traloi', 'cancelled', `#${draft.number}`);
      return [{ text: t.draftCancelled }];
    }
    const saveAsFaq = data === 'tk:save';
    const reportTo = msg.channel === 'web' ? undefined : { channel: msg.channel as ChannelId, chatId: msg.chatId };
    const answered = await tickets.update(draft.number, (x) =>
      x.status === 'open'
        ? {
            ...x,
            status: 'answered',
            updatedAt: at.toISOString(),
            answer: { text: draft.text, by: who(msg), at: at.toISOString(), ...(reportTo ? { reportTo } : {}), ...(saveAsFaq ? { saveAsFaq } : {}) },
            delivery: { startedAt: at.toISOString(), delivered: [], waiting: [] },
          }
        : undefined,
    );
    if (!answered) return [{ text: t.notOpen(draft.number) }];
    await audit(msg, at, '/traloi', 'ok', `#${draft.number} gửi${saveAsFaq ? ', đề nghị lưu thành hỏi đáp' : ''}`);
    delivery.start(draft.number);
    return [{ text: t.sending(draft.number, answered.askers.length, saveAsFaq) }];
  }

  async function typed(msg: InboundMessage, state: ChatState, text: string, at: Date): Promise<OutboundMessage[] | undefined> {
    const question = readStaffRequest(text);
    return question === undefined ? undefined : askStaff(msg, state, question, at);
  }

  async function stats(): Promise<string> {
    const all = await tickets.all();
    const hours = all
      .filter((x) => x.answer)
      .map((x) => (Date.parse(x.answer!.at) - Date.parse(x.createdAt)) / 3_600_000)
      .sort((a, b) => a - b);
    const median =
      hours.length === 0 ? undefined : hours.length % 2 ? hours[(hours.length - 1) / 2]! : (hours[hours.length / 2 - 1]! + hours[hours.length / 2]!) / 2;
    const finished = all.filter((x) => x.delivery?.finishedAt);
    const askers = finished.reduce((s, x) => s + x.askers.length + (x.forgottenAskers ?? 0), 0);
    const delivered = finished.reduce((s, x) => s + x.delivery!.delivered.length + (x.delivery!.forgottenDelivered ?? 0), 0);
    return t.stats({ open: all.filter((x) => x.status === 'open').length, ...(median === undefined ? {} : { medianHours: median }), delivered, askers });
  }

  return { command, press, typed, open, waiting, askStaff, stats };
}
