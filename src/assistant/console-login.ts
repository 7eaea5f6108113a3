import type { Logger } from 'pino';
import { consoleAuthText as t, staffText } from '../copy/messages.js';
import type { InboundMessage, OutboundMessage } from '../core/chat.js';
import type { Pseudonyms } from '../store/personal.js';
import { SIGN_IN_TOKEN_MS, type SessionStore } from '../store/sessions.js';
import type { AuditEntry } from '../store/staff.js';
import type { ConversationFlow } from './conversation.js';

/** Dependencies of /dangnhap and /dangxuat. */
export interface ConsoleLoginOptions {
  sessions: SessionStore;
  /** Whether the sender is staff (the staff flow decides: ADMIN_IDS and the staff store). */
  roleOf(msg: InboundMessage): Promise<'admin' | 'staff' | 'citizen'>;
  /** The console's base URL without a trailing slash (PUBLIC_URL, or http://HOST:PORT once the server listens). */
  baseUrl(): string;
  /** How the console names a staff member: a pseudonym, never the chat id. */
  pseudonyms?: Pseudonyms;
  audit(entry: AuditEntry): Promise<void>;
  log: Logger;
}

const who = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;

/**
 * A private chat: on Telegram the chat is the user's own (a group's id differs from the sender's); Zalo bots
 * talk in one-to-one chats only (docs/platforms.md).
 */
const isPrivate = (msg: InboundMessage) => msg.channel === 'zalo' || (msg.channel === 'telegram' && msg.chatId === msg.userId);

/**
 * The console's sign-in over chat: `/dangnhap` sends a staff member, in a private chat only, a one-time link
 * (10 minutes) to the staff console; `/dangxuat` ends every console session of that staff member.
 */
export function createConsoleLoginFlow(options: ConsoleLoginOptions): ConversationFlow {
  const { sessions, log } = options;

  async function audit(by: string, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string): Promise<void> {
    await options
      .audit({ at: at.toISOString(), who: by, action, outcome, ...(detail ? { detail } : {}) })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  async function command(msg: InboundMessage, _state: unknown, name: string, _args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (name !== 'dangnhap' && name !== 'dangxuat') return undefined;
    if (msg.channel === 'web') return [{ text: t.webOnly }];
    const role = await options.roleOf(msg);
    if (role === 'citizen') {
      log.warn({ command: name }, 'console sign-in command refused: not staff');
      const asker = options.pseudonyms ? await options.pseudonyms.of(msg.channel, msg.chatId) : t.unknownWho;
      await audit(asker, at, `/${name}`, 'denied');
      return [{ text: staffText.denied }];
    }
    if (name === 'dangxuat') {
      const ended = await sessions.endAll(who(msg), at);
      log.info({ who: who(msg), ended }, 'console sessions ended from chat');
      await audit(who(msg), at, t.auditSignOutAll, 'ok', String(ended));
      return [{ text: t.signedOut(ended) }];
    }
    if (!isPrivate(msg)) {
      log.warn({ who: who(msg) }, 'sign-in link refused outside a private chat');
      await audit(who(msg), at, t.auditLinkSent, 'denied', t.privateOnly.slice(0, 60));
      return [{ text: t.privateOnly }];
    }
    const name_ = options.pseudonyms ? await options.pseudonyms.of(msg.channel, msg.userId) : who(msg);
    const token = await sessions.issueToken(who(msg), name_, at);
    // The token is neither logged nor audited: whoever holds it signs in.
    log.info({ who: who(msg) }, 'console sign-in link sent');
    await audit(who(msg), at, t.auditLinkSent, 'ok');
    return [{ text: t.link(`${options.baseUrl()}/admin/login?token=${token}`, SIGN_IN_TOKEN_MS / 60_000) }];
  }

  return {
    command,
    press: async () => undefined,
    typed: async () => undefined,
    help: async (msg) => ((await options.roleOf(msg)) === 'citizen' ? undefined : t.staffHelp),
  };
}
