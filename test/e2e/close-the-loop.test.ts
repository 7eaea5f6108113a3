import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/app.js';
import { createChangeLog } from '../../src/store/changes.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { type RecordedCall, startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { startFakeZalo, zaloTextUpdate } from '../helpers/fake-zalo.js';
import { appConfig, tempDirEachTest } from '../helpers/app.js';
import { silentLogger } from '../helpers/logger.js';

/** Chat ids long and odd enough that finding one in the store or a staff text cannot be a coincidence. */
const LAN = 731905524;
const HOA = 748812093;
const ADMIN = 610044718;
const MINH = 'c7f1e09ab3d24e55b0a1';

// A question the bundled articles cannot answer, asked three ways.
const Q_LAN = 'Giá vé máy bay từ Hà Nội đi Côn Đảo tháng 12 là bao nhiêu?';
const Q_MINH = 'vé máy bay Hà Nội Côn Đảo tháng 12 giá bao nhiêu';
const Q_HOA = 'Tháng 12 vé máy bay Hà Nội đi Côn Đảo giá bao nhiêu vậy?';
/** The curated entry's question as staff approve it in /traloi (the askers' own wordings are kept beside it). */
const FAQ_QUESTION = 'Giá vé máy bay Hà Nội – Côn Đảo tháng 12 là bao nhiêu?';
const ANSWER = 'Giá vé do các hãng hàng không công bố và thay đổi theo ngày bay.\nBạn xem trên trang của các hãng bay nhé.';

const scratch = tempDirEachTest('mattran-loop-');
const { cleanups } = scratch;

/** A Telegram button press by `chatId` on `data`. */
const press = (updateId: number, chatId: number, data: string) => ({
  update_id: updateId,
  callback_query: {
    id: `cq${updateId}`,
    chat_instance: 'x',
    from: { id: chatId, is_bot: false, first_name: 'Lan' },
    message: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, text: 'x' },
    data,
  },
});

/** The callback data of the button labelled `label` in the message sent to `chatId` last that has one. */
function buttonData(sent: RecordedCall[], chatId: number, label: string): string {
  for (const call of [...sent].reverse()) {
    if (String(call.body.chat_id) !== String(chatId)) continue;
    const keyboard = (call.body.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard;
    const button = keyboard?.flat().find((b) => b.text === label);
    if (button) return button.callback_data;
  }
  throw new Error(`no button “${label}” sent to ${chatId}`);
}

/** Every row of every table of the SQLite state file, as `table key value` text. */
async function storeRows(dataDir: string): Promise<string[]> {
  const adapter = await createSqliteAdapter(dataDir);
  try {
    const tables = (await adapter.query("SELECT name FROM sqlite_master WHERE type = 'table'")) as { name: string }[];
    const rows: string[] = [];
    for (const { name } of tables) {
      const all = (await adapter.query(`SELECT * FROM "${name}"`)) as Record<string, unknown>[];
      for (const row of all) rows.push(`${name} ${Object.values(row).map(String).join(' ')}`);
    }
    return rows;
  } finally {
    await adapter.disconnect();
  }
}

describe('close the loop: a question without an answer reaches staff, their answer reaches every asker, and becomes a curated answer', () => {
  it('Telegram and Zalo askers share one ticket, both get the answer once, a third gets the curated answer, and an erased asker leaves nothing in the store', async () => {
    const telegram = await startFakeTelegram();
    const zalo = await startFakeZalo();
    cleanups.push(telegram.close, zalo.close);
    const bot = createApp(
      appConfig(scratch.dir, 'close-the-loop', {
        LOG_LEVEL: 'warn',
        TELEGRAM_BOT_TOKEN: '123456:TEST-close-the-loop',
        TELEGRAM_API_ROOT: telegram.baseUrl,
        ZALO_BOT_TOKEN: '1459232241454765289:zalo-close-the-loop',
        ZALO_API_BASE: zalo.baseUrl,
        ADMIN_IDS: `telegram:${ADMIN}`,
      }),
      { log: silentLogger() },
    );
    let stopped = false;
    cleanups.push(async () => stopped || bot.stop());
    await bot.start();

    let update = 1;
    const toChat = (chatId: number | string) => (c: RecordedCall) => String(c.body.chat_id) === String(chatId);
    const texts = (calls: RecordedCall[]) => calls.map((c) => String(c.body.text));
    const telegramTo = (chatId: number) => texts(telegram.sent().filter(toChat(chatId)));
    const zaloTo = (chatId: string) => texts(zalo.sent().filter(toChat(chatId)));
    /** Send `text` from a Telegram chat and wait until the bot has answered it with something matching `until`. */
    const tell = async (chatId: number, text: string, until: (t: string) => boolean) => {
      const before = telegramTo(chatId).length;
      telegram.push(textUpdate(update++, text, chatId));
      await waitFor(() => telegramTo(chatId).slice(before).some(until), 15_000);
      return telegramTo(chatId).slice(before);
    };
    const pressOn = async (chatId: number, label: string, until: (t: string) => boolean) => {
      const before = telegramTo(chatId).length;
      telegram.push(press(update++, chatId, buttonData(telegram.sent(), chatId, label)));
      await waitFor(() => telegramTo(chatId).slice(before).some(until), 15_000);
      return telegramTo(chatId).slice(before);
    };
    const ticketOf = (replies: string[]) => Number(/\(mã #(\d+)\)/.exec(replies.join('\n'))?.[1]);

    // 1. Two citizens, two platforms, one question in different words: one ticket.
    const lanReply = await tell(LAN, Q_LAN, (t) => t.includes('(mã #'));
    const n = ticketOf(lanReply);
    expect(n).toBeGreaterThan(0);
    expect(lanReply.join('\n')).toContain(`Câu hỏi đã được chuyển tới cán bộ Mặt trận (mã #${n}). Câu trả lời sẽ được gửi tới bạn tại đây.`);
    zalo.push(zaloTextUpdate('m1', Q_MINH, MINH, 'Minh'));
    await waitFor(() => zaloTo(MINH).some((t) => t.includes('(mã #')), 15_000);
    expect(ticketOf(zaloTo(MINH))).toBe(n);

    // 2. A citizen may not answer; staff answer with /traloi and "Gửi và lưu thành hỏi đáp".
    await tell(LAN, `/traloi ${n} không`, (t) => t.includes('chỉ dành cho cán bộ'));
    const list = await tell(ADMIN, '/cauhoi', (t) => t.includes(`#${n}`));
    expect(list.join('\n')).toContain(`#${n} — 2 người hỏi — ${Q_LAN}`);
    // The preview names the question the entry would be saved with; staff set their own with a "Hỏi:" first line.
    const preview = await tell(ADMIN, `/traloi ${n} Hỏi: ${FAQ_QUESTION}\n${ANSWER}`, (t) => t.includes('Gửi câu trả lời này'));
    expect(preview.join('\n')).toContain(ANSWER);
    expect(preview.join('\n')).toContain(`Câu hỏi lưu vào hỏi đáp (nếu chọn “Gửi và lưu thành hỏi đáp”): «${FAQ_QUESTION}»`);
    const sending = await pressOn(ADMIN, 'Gửi và lưu thành hỏi đáp', (t) => t.includes(`Đang gửi câu trả lời #${n} tới 2 người hỏi`));
    const faqId = Number(/mục số (\d+)/.exec(sending.join('\n'))?.[1]);
    expect(faqId).toBeGreaterThan(0);
    await waitFor(() => telegramTo(ADMIN).some((t) => t.includes(`Đã gửi câu trả lời #${n}`)), 15_000);
    expect(telegramTo(ADMIN).find((t) => t.includes(`Đã gửi câu trả lời #${n}`))).toContain('2 người đã nhận');

    // 3. Each asker got the answer exactly once, under their own wording (counted on the fakes, after a pause for strays).
    await new Promise((r) => setTimeout(r, 1000));
    const answered = (t: string) => t.includes(`(mã #${n})`) && t.includes('Bạn xem trên trang của các hãng bay nhé.');
    expect(telegramTo(LAN).filter(answered)).toHaveLength(1);
    expect(zaloTo(MINH).filter(answered)).toHaveLength(1);
    expect(telegramTo(LAN).find(answered)).toContain(`“${Q_LAN}”`);
    expect(zaloTo(MINH).find(answered)).toContain(`“${Q_MINH}”`);

    // 4. A third citizen asks a paraphrase: the curated answer, labelled as the Front's, dated.
    const hoa = await tell(HOA, Q_HOA, (t) => t.includes('Mặt trận trả lời') || t.includes('(mã #'));
    expect(hoa.join('\n')).toMatch(/Mặt trận trả lời \(cập nhật \d\d\/\d\d\/\d{4}\): Giá vé do các hãng hàng không công bố/);
    expect(hoa.join('\n')).not.toContain('(mã #');

    // 5. Staff-facing texts and the audit log name citizens by pseudonym only, never by chat id.
    const entry = await tell(ADMIN, `/hoidap ${faqId}`, (t) => t.includes(`Hỏi đáp #${faqId}`));
    expect(entry.join('\n')).toContain(`Câu hỏi: ${FAQ_QUESTION}`);
    expect(entry.join('\n')).toMatch(/của người hỏi zalo:[a-z2-7]{6}/);
    const audit = await tell(ADMIN, '/nhatky 20', (t) => t.includes('/traloi'));
    expect(audit.join('\n')).toMatch(/telegram:[a-z2-7]{6}/);
    for (const t of telegramTo(ADMIN)) {
      expect(t).not.toContain(String(LAN));
      expect(t).not.toContain(MINH);
      expect(t).not.toContain(String(HOA));
    }

    // 6. The first citizen erases their data.
    await tell(LAN, '/xoadulieu', (t) => t.includes('Bạn muốn xóa toàn bộ dữ liệu'));
    const erased = (await pressOn(LAN, 'Xóa dữ liệu của tôi', (t) => t.includes('Đã xóa dữ liệu của bạn'))).join('\n');
    // Every kind erased is named in Vietnamese, the curated entry's wording among them.
    expect(erased).toContain('Câu hỏi đã chuyển cán bộ');
    expect(erased).toContain('mục hỏi đáp');
    expect(erased).not.toMatch(/• [a-z]+: \d/);
    await bot.stop();
    stopped = true;

    const rows = await storeRows(scratch.dir);
    const kept = rows.join('\n');
    expect(rows.length).toBeGreaterThan(0);
    expect(kept).not.toContain(String(LAN));
    expect(kept).not.toContain(Q_LAN);
    // The others' data is still there: erasure was of one person only; the entry keeps the question staff approved.
    expect(kept).toContain(Q_MINH);
    expect(kept).toContain(FAQ_QUESTION);
    expect(kept).toContain(MINH);
    // Staff audit lines hold no citizen's chat id either.
    for (const row of rows.filter((r) => r.includes('/traloi') || r.includes('xóa dữ liệu'))) {
      expect(row).not.toContain(MINH);
      expect(row).not.toContain(String(HOA));
    }
  }, 120_000);

  it('the change log keeps no replaced content: earlier entries of an item say what its latest one says', async () => {
    const changes = await createChangeLog({ adapter: () => createSqliteAdapter(scratch.dir), log: silentLogger() });
    const doc = (title: string) => ({ id: 'faq:1', type: 'article' as const, title, summary: title, body: 'Trả lời.', source: 'hỏi đáp' });
    await changes.publish({ op: 'upsert', doc: doc(Q_LAN) });
    await changes.publish({ op: 'upsert', doc: { ...doc('Bài khác'), id: 'a1' } });
    await changes.publish({ op: 'upsert', doc: doc(Q_MINH) });
    expect((await changes.since(0)).map((c) => (c.op === 'upsert' ? c.doc.title : c.id))).toEqual([Q_MINH, 'Bài khác', Q_MINH]);
    await changes.publish({ op: 'remove', id: 'faq:1' });
    expect((await changes.since(0)).map((c) => `${c.seq} ${c.op}`)).toEqual(['1 remove', '2 upsert', '3 remove', '4 remove']);
    await changes.close();
    expect((await storeRows(scratch.dir)).join('\n')).not.toContain('Côn Đảo');
  });
});
