/**
 * `faq import` / `faq export` files: bad rows reported by line while the others are imported, the same file
 * twice makes no duplicates, export → import → export gives the same file, citizens' wordings stay out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createFaqService, type FaqService } from '../../src/assistant/faq.js';
import { exportFaqRows, faqFileFormat, importFaqRows, readFaqFile, writeFaqFile, type FaqFileFormat } from '../../src/assistant/faq-file.js';
import { faqFileText } from '../../src/copy/messages.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createFaqStore } from '../../src/store/faq.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const log = silentLogger();
const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
});

/** A service over a fresh SQLite state; its index is the one the service publishes to. */
async function fresh(): Promise<{ service: FaqService; index: ArticleIndex }> {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-faq-file-'));
  const adapter = () => createSqliteAdapter(dir);
  const faq = await createFaqStore({ adapter, log });
  const staff = await createStaffStore({ adapter, log });
  cleanups.push(async () => {
    await Promise.allSettled([faq.close(), staff.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const index = ArticleIndex.create();
  const engine = createAnswerEngine({ index, lexicon });
  return { service: createFaqService({ faq, staff, publisher: index, engine, log }), index };
}

const exported = async (service: FaqService, format: FaqFileFormat) =>
  writeFaqFile(exportFaqRows((await service.list({ status: 'active' })).sort((a, b) => a.id - b.id)).rows, format);

const JSONL = [
  JSON.stringify({
    question: 'Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu?',
    alternates: ['bhyt hộ gia đình đóng bao nhiêu', 'Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu'],
    answer: 'Người thứ nhất đóng 4,5% mức lương cơ sở.',
    updatedAt: '2026-12-05T02:00:00.000Z',
    author: 'telegram:1',
  }),
  JSON.stringify({ question: '', answer: 'thiếu câu hỏi' }),
  'không phải JSON',
  '',
  JSON.stringify({
    question: 'Thủ tục xin hỗ trợ nhà Đại đoàn kết thế nào?',
    answer: 'Làm đơn.\nGửi Ban công tác Mặt trận.',
    alternates: 'không phải mảng | vẫn đọc được',
  }),
  JSON.stringify({ question: 'Câu trả lời quá dài?', answer: 'x'.repeat(1501) }),
].join('\n');

describe('faq files', () => {
  it('imports JSON Lines: bad rows by line, the rest indexed; the same file twice adds nothing', async () => {
    const { service, index } = await fresh();
    const read = readFaqFile(JSONL, faqFileFormat('hoi-dap.jsonl'));
    expect(read.errors.map((e) => e.line)).toEqual([2, 3, 6]);
    const first = await importFaqRows(service, read.rows, 'cli:test');
    expect(first).toEqual({ added: 2, updated: 0, unchanged: 0, errors: [] });
    expect(index.get('faq:1')?.title).toBe('Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu?');
    expect(await service.get(1)).toMatchObject({
      alternates: ['bhyt hộ gia đình đóng bao nhiêu'],
      author: 'telegram:1',
      updatedAt: '2026-12-05T02:00:00.000Z',
    });
    expect((await service.get(2))?.alternates).toEqual(['không phải mảng', 'vẫn đọc được']);
    expect(await importFaqRows(service, readFaqFile(JSONL, 'jsonl').rows, 'cli:test')).toEqual({ added: 0, updated: 0, unchanged: 2, errors: [] });
    // A changed answer updates the entry with the same question (accents and case aside).
    const changed = readFaqFile(JSON.stringify({ question: 'muc dong bhyt ho gia dinh nam 2026 la bao nhieu?', answer: 'Mới.' }), 'jsonl');
    expect(await importFaqRows(service, changed.rows, 'cli:test')).toMatchObject({ added: 0, updated: 1 });
    expect((await service.get(1))?.answer).toBe('Mới.');
    expect((await service.list()).length).toBe(2);
  });

  it('round-trips through CSV and JSON Lines, and leaves citizens’ wordings out of the export', async () => {
    const { service } = await fresh();
    await importFaqRows(service, readFaqFile(JSONL, 'jsonl').rows, 'cli:test', new Date('2026-12-06T00:00:00Z'));
    await service.add({
      question: 'Câu của người dân',
      questionFrom: 'zalo:9',
      alternates: [{ text: 'cách hỏi của cán bộ' }, { text: 'của dân', from: 'telegram:5' }],
      answer: 'Đáp, có "ngoặc", dấu phẩy.',
      author: 'telegram:1',
      fromTicket: 3,
    });
    await service.add({ question: 'Chỉ có câu của dân', questionFrom: 'zalo:8', answer: 'Trả lời.', author: 'telegram:1', fromTicket: 4 });
    await service.add({ question: 'Đã gỡ', answer: 'x', author: 'telegram:1' });
    await service.withdraw(5, 'telegram:1');
    const csv = await exported(service, 'csv');
    expect(csv.split('\n')[0]).toBe('question,alternates,answer,updatedAt,author');
    expect(csv).toContain('không phải mảng | vẫn đọc được');
    expect(csv).not.toMatch(/Câu của người dân|của dân|Chỉ có câu của dân|Đã gỡ|zalo:|telegram:5/);
    expect(exportFaqRows(await service.list()).skipped).toEqual([4]);
    const jsonl = await exported(service, 'jsonl');
    for (const format of ['csv', 'jsonl'] as const) {
      const copy = await fresh();
      const read = readFaqFile(format === 'csv' ? csv : jsonl, format);
      expect(read.errors).toEqual([]);
      expect((await importFaqRows(copy.service, read.rows, 'cli:other')).added).toBe(3);
      expect(await exported(copy.service, 'csv')).toBe(csv);
      expect(await exported(copy.service, 'jsonl')).toBe(jsonl);
    }
  });

  it('reports a broken CSV by line and still reads the good rows', () => {
    const csv = 'question,alternates,answer\n"Câu một?",,Một\n,,thiếu câu hỏi\n"Câu ba?","a | b","Ba\nhai dòng"\n';
    const read = readFaqFile(csv, faqFileFormat('x.CSV'));
    expect(read.rows.map((r) => [r.line, r.row.question, r.row.alternates])).toEqual([
      [2, 'Câu một?', []],
      [5, 'Câu ba?', ['a', 'b']],
    ]);
    expect(read.errors.map((e) => e.line)).toEqual([3]);
    expect(readFaqFile('question,answer\n"không đóng ngoặc,x\n', 'csv').errors).toHaveLength(1);
  });

  it('writes a cell a spreadsheet would run as a formula as text, and reads it back as written', () => {
    const rows = [
      {
        question: '=HYPERLINK("http://x.invalid","bấm")',
        alternates: ['+1 câu khác', 'b'],
        answer: '@SUM(A1)',
        updatedAt: '2026-12-05T00:00:00Z',
        author: '-x',
      },
    ];
    const csv = writeFaqFile(rows, 'csv');
    for (const line of csv.split('\n').slice(1).filter(Boolean)) expect(line).not.toMatch(/(^|,)"?[=+\-@]/);
    const read = readFaqFile(csv, 'csv');
    expect(read.errors).toEqual([]);
    expect(read.rows[0]?.row).toMatchObject({ question: rows[0]!.question, alternates: ['+1 câu khác', 'b'], answer: '@SUM(A1)', author: '-x' });
  });

  it('says in Vietnamese why a line was not read, and stops after maxRows rows', () => {
    expect(readFaqFile(JSONL, 'jsonl').errors.map((e) => e.error)).toEqual([
      faqFileText.row,
      expect.stringMatching(/^Dòng này không phải JSON/),
      faqFileText.answerTooLong,
    ]);
    const broken = readFaqFile('question,answer\n"không đóng ngoặc,x\n', 'csv');
    expect(broken.unreadable).toBeTruthy();
    expect(broken.errors[0]!.error).toBe(faqFileText.unreadable(broken.unreadable!));
    const many = ['question,answer', 'Một?,1', 'Hai?,2', 'Ba?,3'].join('\n');
    const read = readFaqFile(many, 'csv', { maxRows: 2 });
    expect(read.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(read.errors).toEqual([{ line: 4, error: faqFileText.tooManyRows(2) }]);
  });

  it('as the console imports: the importer is the author, and a curated question gets the file’s wordings added', async () => {
    const { service } = await fresh();
    await importFaqRows(service, readFaqFile(JSONL, 'jsonl').rows, 'cli:test');
    const again = readFaqFile(
      'question,alternates,answer,updatedAt,author\nThủ tục xin hỗ trợ nhà Đại đoàn kết thế nào?,cách mới,"Làm đơn.\nGửi Ban công tác Mặt trận.",2020-01-01T00:00:00Z,telegram:9\nCâu mới?,,Đáp.,2020-01-01T00:00:00Z,telegram:9\n',
      'csv',
    );
    const at = new Date('2026-12-07T00:00:00Z');
    const options = { fileAuthors: false, addWordings: true };
    expect(await importFaqRows(service, again.rows, 'telegram:600', at, options)).toEqual({ added: 1, updated: 1, unchanged: 0, errors: [] });
    expect((await service.get(2))?.alternates).toEqual(['không phải mảng', 'vẫn đọc được', 'cách mới']);
    expect(await service.get(3)).toMatchObject({ author: 'telegram:600', updatedAt: at.toISOString() });
    expect(await importFaqRows(service, again.rows, 'telegram:600', at, options)).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });
});
