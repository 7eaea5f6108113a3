import type { Logger } from 'pino';
import type { InboundMessage, OutboundMessage } from '../core/chat.js';
import { formatDate, privacyText as t } from '../copy/messages.js';
import type { PersonalDataItem, PersonalDataSource, Person, Pseudonyms } from '../store/personal.js';
import type { AuditEntry } from '../store/staff.js';
import type { ChatState } from '../store/stores.js';
import type { ConversationFlow } from './conversation.js';

/** Dependencies of the citizens' data commands. */
export interface PrivacyFlowOptions {
  /** Every store that keeps data about people. */
  sources: readonly PersonalDataSource[];
  pseudonyms: Pseudonyms;
  /** Where an erasure is recorded (the audit log), without its content. */
  audit(entry: AuditEntry): Promise<void>;
  /** How long recorded questions are kept (QUESTION_RETENTION_DAYS), for the summary. */
  retentionDays: number;
  log: Logger;
}

/** Add up items of the same kind from several sources, keeping the oldest time. */
function merge(items: PersonalDataItem[]): PersonalDataItem[] {
  const byKind = new Map<string, PersonalDataItem>();
  for (const item of items) {
    const seen = byKind.get(item.kind);
    if (!seen) byKind.set(item.kind, { ...item });
    else {
      seen.count += item.count;
      if (item.since && (!seen.since || item.since < seen.since)) seen.since = item.since;
    }
  }
  return [...byKind.values()].filter((i) => i.count > 0);
}

const lines = (items: PersonalDataItem[]) => items.map((i) => t.itemLine(t.kinds[i.kind] ?? i.kind, i.count, formatDate(i.since)));

/**
 * A citizen's access to and erasure of their data: /dulieucuatoi lists what every source keeps about the
 * chat; /xoadulieu asks for confirmation (a button, numbered on Zalo), then erases it from every source and
 * records the erasure in the audit log under the chat's pseudonym. A store outage surfaces as the busy reply.
 */
export function createPrivacyFlow(options: PrivacyFlowOptions): ConversationFlow {
  const { sources, log } = options;
  const person = async (msg: InboundMessage): Promise<Person> => ({
    channel: msg.channel,
    chatId: msg.chatId,
    pseudonym: await options.pseudonyms.of(msg.channel, msg.chatId),
  });

  async function command(msg: InboundMessage, _state: ChatState, name: string, _args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (name === 'dulieucuatoi') {
      const p = await person(msg);
      const items = merge((await Promise.all(sources.map((s) => s.describe(p, at)))).flat());
      return [{ text: items.length ? t.summary(lines(items), options.retentionDays) : t.nothing }];
    }
    if (name === 'xoadulieu') {
      return [
        {
          text: t.confirm,
          buttons: [[{ label: t.buttonErase, data: 'priv:erase' }], [{ label: t.buttonKeep, data: 'priv:keep' }]],
        },
      ];
    }
    return undefined;
  }

  async function press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (data === 'priv:keep') return [{ text: t.kept }];
    if (data !== 'priv:erase') return undefined;
    const p = await person(msg);
    const erased: PersonalDataItem[] = [];
    // One source after another: a store that fails stops here, and pressing again erases the rest.
    for (const source of sources) erased.push(...(await source.erase(p, at)));
    const items = merge(erased);
    const counts = items.map((i) => `${i.kind} ${i.count}`).join(', ');
    log.info({ who: p.pseudonym, counts }, 'personal data erased');
    // The erasure is done: an audit log that refuses the entry is logged, not reported to the citizen as a failure.
    await options
      .audit({ at: at.toISOString(), who: p.pseudonym, action: t.auditAction, detail: t.auditDetail(p.pseudonym, items), outcome: 'ok' })
      .catch((err: unknown) => log.error({ err, who: p.pseudonym }, 'could not audit an erasure'));
    // Nothing of this chat is written back after the reply (see the conversation's state handling).
    for (const key of Object.keys(state) as (keyof ChatState)[]) delete state[key];
    state.forget = true;
    return [{ text: items.length ? t.erased(lines(items)) : t.erasedNothing }];
  }

  const typed = async (): Promise<undefined> => undefined;
  return { command, press, typed };
}
