/**
 * Zalo Bot API payloads (snake_case) and their conversion to our camelCase shapes.
 * Facts and their certainty: docs/platforms.md §1.4–1.5.
 */
import { z } from 'zod';

/** Ids are opaque strings, but some senders use numbers: always a string on our side. */
const id = z.union([z.string().min(1), z.number()]).transform(String);

/** `event_name` of a text message, the only kind the bot reads. */
export const TEXT_EVENT = 'message.text.received';

/** Events that carry something other than text (answered with a polite "text only"). */
export const NON_TEXT_EVENTS: ReadonlySet<string> = new Set([
  'message.image.received',
  'message.sticker.received',
  'message.voice.received',
  // Zalo sends this instead of the content for some protected users (docs/platforms.md §1.1).
  'message.unsupported.received',
]);

/** One update, as delivered by getUpdates or a webhook (unknown fields are kept and ignored). */
const zaloUpdateSchema = z
  .object({
    event_name: z.string().min(1),
    message: z.looseObject({
      message_id: id,
      date: z.number().optional(),
      chat: z.looseObject({ id, chat_type: z.string().optional() }),
      from: z
        .looseObject({
          id: id.optional(),
          display_name: z.string().optional(),
          name: z.string().optional(),
          first_name: z.string().optional(),
          is_bot: z.boolean().optional(),
        })
        .optional(),
      text: z.string().optional(),
    }),
  })
  .loose()
  // A text event without text is invalid (docs/platforms.md §1.5).
  .refine((u) => u.event_name !== TEXT_EVENT || typeof u.message.text === 'string', { message: 'text event without message.text', path: ['message', 'text'] });

/** A validated update. */
export type ZaloUpdate = z.infer<typeof zaloUpdateSchema>;

/** `getMe` result. */
export const zaloBotInfoSchema = z.looseObject({
  id,
  account_name: z.string().optional(),
  account_type: z.string().optional(),
  can_join_groups: z.boolean().optional(),
});

/** `getWebhookInfo`, `setWebhook` and `deleteWebhook` result; `url` is "" or absent when none is set. */
export const zaloWebhookInfoSchema = z.looseObject({
  url: z.string().optional(),
  updated_at: z.number().optional(),
});

/** `sendMessage` / `sendPhoto` result. */
export const zaloSentSchema = z.looseObject({
  message_id: id,
  date: z.number().optional(),
});

/**
 * The updates in a `getUpdates` result or a webhook body, unvalidated.
 * @remarks A webhook body may be flat (`{event_name, message}`) or wrapped (`{ok, result}`), and
 * `result` is documented as one update but read defensively as one or many (docs/platforms.md §1.6).
 */
export function unwrapUpdates(body: unknown): unknown[] {
  if (body === null || body === undefined) return [];
  const record = body as { ok?: unknown; result?: unknown };
  const inner = typeof body === 'object' && !Array.isArray(body) && record.ok === true && 'result' in record ? record.result : body;
  if (inner === null || inner === undefined) return [];
  return Array.isArray(inner) ? inner : [inner];
}

/** Validate one raw update; the error lists what is missing. */
export function parseUpdate(raw: unknown): { ok: true; update: ZaloUpdate } | { ok: false; error: string } {
  const parsed = zaloUpdateSchema.safeParse(raw);
  if (parsed.success) return { ok: true, update: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

/** Zalo dates are Unix milliseconds, but seconds turn up too: values under 1e12 are seconds. */
export function normaliseDate(date: number | undefined, now: () => Date = () => new Date()): Date {
  if (date === undefined || !Number.isFinite(date) || date <= 0) return now();
  return new Date(date >= 1e12 ? date : date * 1000);
}

/** The sender's name: webhook samples use `display_name`, some send `name`, the polling sample has `first_name`. */
export function senderName(update: ZaloUpdate): string | undefined {
  const from = update.message.from;
  const name = from?.display_name ?? from?.name ?? from?.first_name;
  return name?.trim() || undefined;
}

/** The key an update is de-duplicated on: there is no update_id on Zalo, only message_id (docs/platforms.md §1.5). */
export function dedupeKey(update: ZaloUpdate): string {
  return `${update.event_name}:${update.message.message_id}`;
}
