/** The chat platforms the bot speaks on ("web" is the local web chat). */
export type ChannelId = 'telegram' | 'zalo' | 'web';

/** What a channel can carry. */
export interface ChannelLimits {
  /** Longest text of one message; longer replies are split by the channel. */
  maxTextLength: number;
  /** Messages per second the platform allows overall. */
  sendsPerSecond: number;
}

/** A message from a user, as plain data (no SDK objects). */
export interface InboundMessage {
  channel: ChannelId;
  /** Always a string, even where the platform uses numbers. */
  chatId: string;
  userId: string;
  displayName?: string;
  /** The text typed, or empty for a button press. */
  text: string;
  /** Payload of a pressed button, when the message is a button press. */
  callbackData?: string;
  receivedAt: Date;
}

/** A button under a message; `data` comes back as {@link InboundMessage.callbackData} (≤ 64 bytes). */
export interface Button {
  label: string;
  data: string;
  /**
   * `feedback` marks 👍/👎 buttons and `more` the "Xem thêm" of a result list: channels without keyboards
   * (Zalo) show them as a hint to type 👍/👎 or "thêm" instead of numbering them, so a "1" always picks
   * a real choice (or the first item of a list).
   */
  role?: 'feedback' | 'more';
}

/** A link shown with a message (sources). */
export interface Link {
  title: string;
  url: string;
}

/** What to send; each channel decides how (escaping, splitting, numbered buttons). */
export interface OutboundMessage {
  /** Plain text: channels escape it for their format. */
  text: string;
  /** Rows of buttons. */
  buttons?: Button[][];
  links?: Link[];
}

/** Answers one inbound message with zero or more outbound messages. */
export type InboundHandler = (msg: InboundMessage) => Promise<OutboundMessage[]>;

/** The outcome of one send; expected failures are values, not exceptions. */
export type SendResult =
  | { ok: true; messageId: string }
  | { ok: false; reason: 'blocked' | 'chat_not_found' }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number }
  /**
   * `maybeDelivered`: the request left but no answer came (timeout), so the platform may have delivered
   * it; neither platform offers idempotent sends, so a retry can duplicate.
   */
  | { ok: false; reason: 'failed'; error: Error; maybeDelivered?: boolean };

/** A chat platform adapter. */
export interface Channel {
  readonly id: ChannelId;
  readonly limits: ChannelLimits;
  /**
   * Start receiving updates; each is handed to `onMessage` and its replies are sent back. One chat's messages
   * are handed over one at a time, in the order they came (see chat-queue.ts); different chats in parallel.
   */
  start(onMessage: InboundHandler): Promise<void>;
  /** Stop receiving; replies in flight are finished. */
  stop(): Promise<void>;
  /** Send one message (split as needed). */
  send(chatId: string, message: OutboundMessage): Promise<SendResult>;
  /**
   * Call `listener` when the platform says, outside any send, that a user closed their chat to the bot
   * (blocked it): the same news as a send answered `blocked`. Platforms that never say so leave it out.
   */
  onChatClosed?(listener: (chatId: string) => Promise<void> | void): void;
}
