import type { Logger } from 'pino';
import type { Button, ChannelId, InboundMessage, OutboundMessage } from '../core/chat.js';
import type { DigestService } from '../digest/digest.js';
import { TOPIC_IDS } from '../digest/topics.js';
import { foldText, foldToken, tokenize } from '../search/analyzer.js';
import type { Lexicon } from '../search/lexicon.js';
import type { ChatState } from '../store/stores.js';
import { DEFAULT_DIGEST_HOUR, subscriberKey, type Subscriber, type SubscriptionStore } from '../store/subscriptions.js';
import { digestText as t, messages, topicLabels } from '../copy/messages.js';

/** Hours offered as buttons; any other hour can be typed. */
const HOUR_CHOICES = [6, 7, 12, 18, 20];

/** Dependencies of the subscription commands. */
export interface SubscriptionFlowOptions {
  subscriptions: SubscriptionStore;
  digest: Pick<DigestService, 'onDemand'>;
  lexicon: Lexicon;
  /** Channels that can push a digest (the web chat cannot: it only answers). */
  pushChannels: ReadonlySet<ChannelId>;
  log: Logger;
}

/** Read an hour typed by a user: "7", "7h", "19:00", "7 giờ", "19g" → 0–23. */
export function parseHour(text: string): number | undefined {
  const m = /^(\d{1,2})\s*(?:h|g|giờ|gio|:00|:|\.00)?\s*(?:00)?\s*(sáng|sang|chiều|chieu|tối|toi)?$/iu.exec(text.trim());
  if (!m) return undefined;
  let hour = Number(m[1]);
  const part = m[2] ? foldToken(m[2].toLowerCase()) : undefined;
  if ((part === 'chieu' || part === 'toi') && hour < 12) hour += 12;
  return hour >= 0 && hour <= 23 ? hour : undefined;
}

/**
 * /dangky, /caidat, /huydangky, /bantin and their buttons. Button data is short (`sub:…`, ≤ 64 bytes);
 * typed answers (provinces, an hour) are read while `state.awaiting` says so.
 */
export function createSubscriptionFlow(options: SubscriptionFlowOptions) {
  const { subscriptions, lexicon, log } = options;

  function menu(sub: Subscriber): Button[][] {
    return [
      [{ label: t.buttonTopics, data: 'sub:topics' }],
      [{ label: t.buttonProvinces, data: 'sub:prov' }],
      [{ label: t.buttonHour, data: 'sub:hour' }],
      [sub.paused ? { label: t.buttonResume, data: 'sub:resume' } : { label: t.buttonPause, data: 'sub:pause' }],
    ];
  }
  const settings = (sub: Subscriber, lead?: string): OutboundMessage => ({ text: [lead, t.settings(sub)].filter(Boolean).join('\n\n'), buttons: menu(sub) });

  function topicButtons(sub: Subscriber): Button[][] {
    return [
      ...TOPIC_IDS.map((id, i) => [{ label: t.topicToggle(topicLabels[id]!, sub.topics.includes(id)), data: `sub:t:${i}` }]),
      [{ label: t.buttonAllTopics, data: 'sub:t:all' }],
      [{ label: t.buttonDone, data: 'sub:menu' }],
    ];
  }

  async function save(sub: Subscriber, at: Date): Promise<Subscriber> {
    const next = { ...sub, updatedAt: at.toISOString() };
    await subscriptions.put(next);
    return next;
  }

  /** Provinces named in free text (old names give the merged province). */
  function readProvinces(text: string): { names: string[]; merged: string[] } {
    const names: string[] = [];
    const merged: string[] = [];
    for (const match of lexicon.provinceNames.find(tokenize(text))) {
      if (!names.includes(match.value.name)) names.push(match.value.name);
      const typed = match.text.split(' ').map(foldToken).join(' ');
      const official = foldText(match.value.name);
      if (!official.endsWith(typed) && match.value.former.some((f) => foldText(f).endsWith(typed))) merged.push(t.provinceMerged(match.text, match.value.name));
    }
    return { names, merged };
  }

  async function command(msg: InboundMessage, state: ChatState, name: string, _args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!['dangky', 'caidat', 'huydangky', 'bantin'].includes(name)) return undefined;
    state.awaiting = undefined;
    const sub = await subscriptions.get(msg.channel, msg.chatId);
    switch (name) {
      case 'dangky': {
        if (!options.pushChannels.has(msg.channel)) return [{ text: t.noPush }];
        if (sub && !sub.inactive) return [settings(sub, t.alreadySubscribed)];
        const created: Subscriber = sub
          ? { ...sub, inactive: undefined, paused: false, updatedAt: at.toISOString() } // they blocked us once and came back
          : {
              channel: msg.channel,
              chatId: msg.chatId,
              topics: [],
              provinces: [],
              hour: DEFAULT_DIGEST_HOUR,
              paused: false,
              createdAt: at.toISOString(),
              updatedAt: at.toISOString(),
            };
        await save(created, at);
        log.info({ channel: msg.channel, chatId: msg.chatId }, 'subscribed');
        return [settings(created, t.subscribed)];
      }
      case 'caidat':
        return [sub ? settings(sub) : { text: t.notSubscribed }];
      case 'huydangky':
        if (!sub) return [{ text: t.notSubscribed }];
        await subscriptions.remove(msg.channel, msg.chatId);
        log.info({ channel: msg.channel, chatId: msg.chatId }, 'unsubscribed');
        return [{ text: t.unsubscribed }];
      default: {
        const key = subscriberKey(msg.channel, msg.chatId);
        const [mark] = sub ? await subscriptions.lastDelivered([key]) : [undefined];
        const digest = options.digest.onDemand(msg.channel, sub, mark, at);
        if (digest.length === 0) return [{ text: t.digestEmpty }];
        // What was read on demand is not sent again by the next scheduled digest (which still comes today
        // when there is something newer).
        if (sub) await subscriptions.markDelivered(key, { day: mark?.day ?? '', untilMs: at.getTime() });
        return digest;
      }
    }
  }

  async function press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!data.startsWith('sub:')) return undefined;
    const sub = await subscriptions.get(msg.channel, msg.chatId);
    if (!sub) return [{ text: t.notSubscribed }];
    const [, action, arg] = data.split(':');
    state.awaiting = undefined;
    switch (action) {
      case 'menu':
        return [settings(sub)];
      case 'topics':
        return [{ text: t.chooseTopics, buttons: topicButtons(sub) }];
      case 't': {
        const id = arg === 'all' ? undefined : TOPIC_IDS[Number(arg)];
        if (arg !== 'all' && !id) return [{ text: messages.expired }];
        const topics = id ? (sub.topics.includes(id) ? sub.topics.filter((x) => x !== id) : [...sub.topics, id]) : [];
        // Every topic ticked is the same as "all": keep the list empty so new topics are included.
        const next = await save({ ...sub, topics: topics.length === TOPIC_IDS.length ? [] : TOPIC_IDS.filter((x) => topics.includes(x)) }, at);
        return [{ text: t.chooseTopics, buttons: topicButtons(next) }];
      }
      case 'prov':
        state.awaiting = 'provinces';
        return [{ text: t.chooseProvinces, buttons: [[{ label: t.buttonAllProvinces, data: 'sub:p:all' }]] }];
      case 'p':
        return [settings(await save({ ...sub, provinces: [] }, at), t.saved)];
      case 'hour':
        state.awaiting = 'hour';
        return [{ text: t.chooseHour, buttons: [HOUR_CHOICES.map((h) => ({ label: t.hourButton(h), data: `sub:h:${h}` }))] }];
      case 'h': {
        const hour = Number(arg);
        if (!Number.isInteger(hour) || hour < 0 || hour > 23) return [{ text: messages.expired }];
        return [settings(await save({ ...sub, hour }, at), t.saved)];
      }
      case 'pause':
        return [settings(await save({ ...sub, paused: true }, at), t.paused)];
      case 'resume':
        return [settings(await save({ ...sub, paused: false }, at), t.resumed)];
      default:
        return [{ text: messages.expired }];
    }
  }

  /** A typed answer to "which provinces / which hour"; undefined when the text is not one (a question). */
  async function typed(msg: InboundMessage, state: ChatState, text: string, at: Date): Promise<OutboundMessage[] | undefined> {
    const awaiting = state.awaiting;
    if (awaiting !== 'provinces' && awaiting !== 'hour') return undefined;
    const sub = await subscriptions.get(msg.channel, msg.chatId);
    if (!sub) {
      state.awaiting = undefined;
      return undefined;
    }
    // A question asked meanwhile is answered as a question (and the bot stops waiting).
    const tokens = tokenize(text);
    if (/\?\s*$/.test(text) || lexicon.questionWords.find(tokens).length > 0 || (tokens.length > 8 && !text.includes(','))) {
      state.awaiting = undefined;
      return undefined;
    }
    if (awaiting === 'hour') {
      const hour = parseHour(text);
      if (hour === undefined) return [{ text: t.hourUnknown }];
      state.awaiting = undefined;
      return [settings(await save({ ...sub, hour }, at), t.saved)];
    }
    const { names, merged } = readProvinces(text);
    if (names.length === 0) {
      return [{ text: t.provincesUnknown(text), buttons: [[{ label: t.buttonAllProvinces, data: 'sub:p:all' }]] }];
    }
    state.awaiting = undefined;
    return [settings(await save({ ...sub, provinces: names }, at), t.provincesSet(names, merged))];
  }

  return { command, press, typed };
}
