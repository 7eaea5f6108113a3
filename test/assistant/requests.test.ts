import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandInWords, createRequestReader, readConfirmation, readRequest, REQUEST_INTENTS } from '../../src/assistant/requests.js';
import { commandMenu, messages } from '../../src/copy/messages.js';
import { WORDS } from '../../src/search/words.js';
import { ROOT, sharedPath } from '../helpers/shared.js';

interface Case {
  id: string;
  text: string;
  intent: string;
  style: string;
}
const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const cases = readJsonl<Case>(join(ROOT, 'test', 'fixtures', 'domain', 'bot-requests.jsonl'));
const intentOf = (text: string) => readRequest(text)?.intent ?? 'search';

describe('requests about the bot itself', () => {
  it('reads the examples of the issue as their commands', () => {
    expect(readRequest('tôi muốn nhận bản tin hằng ngày')).toEqual({ intent: 'subscribe', command: 'dangky', confirm: true });
    expect(readRequest('làm sao để đăng ký')?.command).toBe('dangky');
    expect(readRequest('bot làm được gì')).toEqual({ intent: 'help', command: 'trogiup', confirm: false });
    expect(readRequest('hủy nhận tin')).toEqual({ intent: 'unsubscribe', command: 'huydangky', confirm: true });
  });

  it('leaves questions for the articles that share their words', () => {
    for (const q of [
      'đăng ký thường trú ở đâu',
      'thủ tục đăng ký kết hôn',
      'hủy hợp đồng lao động',
      'bản tin thời sự VTV mấy giờ',
      'Mặt trận làm được gì cho người nghèo',
      'BOT là gì',
    ]) {
      expect(readRequest(q), q).toBeUndefined();
    }
  });

  it('reads a request written with or without diacritics, in NFD, with shorthand and vocatives alike', () => {
    const forms = [
      'Tôi muốn nhận bản tin hằng ngày',
      'toi muon nhan ban tin hang ngay',
      'Tôi muốn nhận bản tin hằng ngày'.normalize('NFD'),
      'ad ơi, tôi muốn nhận bản tin hằng ngày ạ',
      'bot oi cho minh dk nhan tin hang ngay nha',
    ];
    for (const text of forms) expect(readRequest(text)?.intent, text).toBe('subscribe');
    expect(readRequest('bot lm đc j')?.intent).toBe('help');
    expect(readRequest('ko muốn nhận tin nữa')?.intent).toBe('unsubscribe');
  });

  it(`gets at least 95% of ${cases.length} requests and near-miss questions of the fixture right`, () => {
    const requests = cases.filter((c) => c.intent !== 'search');
    const questions = cases.filter((c) => c.intent === 'search');
    expect(requests.length).toBeGreaterThanOrEqual(60);
    expect(questions.length).toBeGreaterThanOrEqual(60);
    const wrong = (list: Case[]) => list.filter((c) => intentOf(c.text) !== c.intent).map((c) => `${c.id} ${c.text} → ${intentOf(c.text)}`);
    const missed = wrong(requests);
    const taken = wrong(questions);
    expect(1 - missed.length / requests.length, missed.join('\n')).toBeGreaterThanOrEqual(0.95);
    expect(1 - taken.length / questions.length, taken.join('\n')).toBeGreaterThanOrEqual(0.95);
    // Every intent is in the fixture, in more than one style.
    for (const { intent } of REQUEST_INTENTS) expect(new Set(requests.filter((c) => c.intent === intent).map((c) => c.style)).size, intent).toBeGreaterThan(1);
  });

  it('takes none of the domain question sets for a request', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'domain');
    const files = [
      'questions.jsonl',
      'questions.holdout.jsonl',
      'questions.more.jsonl',
      'questions.blind.jsonl',
      'questions.news.jsonl',
      'unanswerable.dev.jsonl',
      'unanswerable.more.jsonl',
      'unanswerable.test.jsonl',
    ];
    const queries = files.flatMap((f) => readJsonl<{ query: string }>(join(dir, f)).map((q) => q.query));
    expect(queries.length).toBeGreaterThan(600);
    expect(queries.filter((q) => readRequest(q) || commandInWords(q))).toEqual([]);
  });

  const evalDir = sharedPath('eval');
  it.skipIf(!evalDir)('takes none of the dev questions of the shared evaluation sets for a request', () => {
    const sets = ['alqac-law', 'uit-regulations-wiki', 'vicov19-faq'];
    const queries = sets.flatMap((s) => readJsonl<{ query: string }>(join(evalDir!, s, 'queries.dev.jsonl')).map((q) => q.query));
    expect(queries.length).toBeGreaterThan(5_000);
    expect(queries.filter((q) => readRequest(q) || commandInWords(q))).toEqual([]);
  });

  it('runs a command named in its own words at once, and only those words', () => {
    expect(commandInWords('Hủy đăng ký')).toBe('huydangky');
    expect(commandInWords('dang ky nhan ban tin')).toBe('dangky');
    expect(commandInWords('cài đặt!')).toBe('caidat');
    expect(commandInWords('tôi muốn đăng ký')).toBeUndefined();
  });

  it('reads a typed yes or no, politely or not', () => {
    expect(readConfirmation('có')).toBe('yes');
    expect(readConfirmation('Dạ vâng ạ')).toBe('yes');
    expect(readConfirmation('ok nha bot')).toBe('yes');
    expect(readConfirmation('không')).toBe('no');
    expect(readConfirmation('thôi khỏi nhé')).toBe('no');
    expect(readConfirmation('có những chương trình nào')).toBeUndefined();
    expect(readConfirmation('được không')).toBeUndefined();
  });

  it('has a known command for each intent but staff, and copy for each one it asks about first', () => {
    const commands = new Set(commandMenu.map((c) => c.command));
    for (const request of REQUEST_INTENTS) {
      if (request.intent === 'staff') expect(request.command).toBeUndefined();
      else expect(commands.has(request.command!), request.intent).toBe(true);
      if (request.confirm) expect(messages.confirmRequest[request.command!], request.intent).toBeDefined();
    }
    for (const command of Object.keys(WORDS.botRequests.commands)) expect(commands.has(command), command).toBe(true);
  });

  it('reads a message of many overlapping leads in a few milliseconds at most, and gives up past the word limit', () => {
    const text = `${'cho hỏi '.repeat(8)}hủy nhận tin`;
    expect(readRequest(text)?.intent).toBe('unsubscribe');
    const started = performance.now();
    for (let i = 0; i < 200; i++) readRequest(`${'làm sao để '.repeat(6)}x`);
    // Measured at about 0.1 ms; a grammar read by backtracking would take hundreds here.
    expect((performance.now() - started) / 200).toBeLessThan(5);
    expect(readRequest(`${'tôi '.repeat(WORDS.botRequests.maxWords)}đăng ký`)).toBeUndefined();
  });

  it('refuses a grammar with an unknown slot, a slot that names itself, or a part it cannot read', () => {
    const grammar = WORDS.botRequests;
    const withPattern = (pattern: string, slots = grammar.slots) => ({
      ...grammar,
      slots,
      intents: [{ intent: 'help' as const, command: 'trogiup', confirm: false, patterns: [pattern] }],
    });
    expect(() => createRequestReader(withPattern('{nowhere} gì'))).toThrow(/unknown slot \{nowhere\}/);
    expect(() => createRequestReader(withPattern('{loop}', { ...grammar.slots, loop: ['a {loop}'] }))).toThrow(/names itself/);
    expect(() => createRequestReader(withPattern('{self}}'))).toThrow(/cannot read/);
    expect(createRequestReader(withPattern('{self} ơi')).readRequest('bot ơi')?.intent).toBe('help');
  });
});
