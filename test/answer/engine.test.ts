import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asksTask, createAnswerEngine, DEFAULT_TUNING, LEANS_BACK, PLACE, questionNames, stripVocatives } from '../../src/answer/index.js';
import { messages } from '../../src/copy/messages.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { MAX_QUERY_TERMS, planQuery } from '../../src/search/query.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const { items } = await loadContent([join(ROOT, 'data'), join(ROOT, 'test', 'fixtures', 'articles')]);
function build(): ArticleIndex {
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  return index;
}
const index = build();
const engine = createAnswerEngine({ index, lexicon });
/** A test article: a title and its sentences. */
const article = (id: string, title: string, body: string | string[]) => ({
  id,
  type: 'article' as const,
  title,
  summary: '',
  body: Array.isArray(body) ? body.join(' ') : body,
  source: 'test',
});
/** An index of the given articles and a few unrelated ones (meeting notes), so that term weights are not degenerate. */
const indexWith = (docs: [string, string, string][], unrelated = 10) => {
  const idx = ArticleIndex.create();
  for (const [id, title, body] of docs) idx.upsert(article(id, title, body));
  for (let i = 0; i < unrelated; i++)
    idx.upsert(article(`o-${i}`, `Hội nghị tổng kết số ${i}`, `Hội nghị tổng kết công tác năm ${2000 + i} của ngành giáo dục.`));
  return idx;
};
/** {@link indexWith} of one article given by its sentences. */
const oneArticle = (id: string, title: string, sentences: string[]) => indexWith([[id, title, sentences.join(' ')]]);

describe('answer engine', () => {
  it('answers the seed question with the sentence that names the chairwoman, the title and the date', () => {
    const a = engine.answer('Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?');
    expect(a.kind).toBe('answer');
    expect(a.text).toContain('Phạm Thị Hân');
    expect(a.text).toContain('19/04/2022');
    expect(a.sources[0]!.id).toBe('mattran-quang-binh-ctpp-2022');
    expect(a.quote!.join(' ')).toContain('Phạm Thị Hân');
  });

  it('answers the same without diacritics, in NFD and with the other tone convention', () => {
    for (const q of ['chu tich uy ban mttq tinh quang binh la ai', 'Chủ tịch Uỷ ban MTTQ tỉnh Quảng Bình là ai?'.normalize('NFD')]) {
      const a = engine.answer(q);
      expect(a.sources[0]!.id, q).toBe('mattran-quang-binh-ctpp-2022');
      expect(a.text, q).toContain('Phạm Thị Hân');
    }
  });

  it('quotes the sentence with the amount for a "bao nhiêu" question, typed the way people type on phones', () => {
    const a = engine.answer('quy vi nguoi ngheo lao cai ung ho bao nhieu');
    expect(a.kind).toBe('answer');
    expect(a.sources[0]!.id).toBe('lc-vnn-2023');
    expect(a.quote!.join(' ')).toContain('2,3 tỷ đồng');
  });

  it('expands abbreviations both ways', () => {
    expect(engine.answer('UBND Hà Nội phối hợp tuyên truyền BHXH tự nguyện thế nào?').sources[0]!.id).toBe('hn-bhxh');
    expect(engine.answer('ủy ban mặt trận tổ quốc cần thơ đi bộ đồng hành bao nhiêu người').sources[0]!.id).toBe('ct-di-bo');
  });

  it('prefers the exact accented words when the question is accented', () => {
    expect(engine.rank('người dân bàn bạc', 2)[0]!.doc.id).toBe('ban-bac');
    expect(engine.rank('người dân bán bạc', 2)[0]!.doc.id).toBe('ban-bac-2');
  });

  it('finds programs like articles', () => {
    const a = engine.answer('Ngày hội Đại đoàn kết toàn dân tộc tổ chức vào ngày nào?');
    expect(a.kind).toBe('answer');
    expect(a.text).toContain('18/11');
  });

  it('says plainly when it has no information, offers the closest titles, and marks the question unanswered', () => {
    const a = engine.answer('Cách làm bánh chưng ngon?');
    expect(a.kind).toBe('no_answer');
    expect(a.text).toMatch(/^Xin lỗi, tôi chưa có thông tin/);
    expect(a.sources.length).toBeLessThanOrEqual(3);
  });

  it('names closest titles only when they are on the question’s topic', () => {
    // Nothing in the bundled content is about gold: no article is offered to choose.
    const gold = engine.answer('giá vàng hôm nay bao nhiêu');
    expect(gold.kind).toBe('no_answer');
    expect(gold.sources).toEqual([]);
    expect(gold.text).toBe(messages.noAnswer([]));
    // The relief fund is there, its phone number is not: the fund is named as the closest.
    const phone = engine.answer('so dien thoai quy cuu tro quang binh la so nao');
    expect(phone.kind).toBe('no_answer');
    expect(phone.sources.map((s) => s.title)).toContain('Quỹ cứu trợ');
  });

  it('tells the date and time in Vietnam when asked, without searching', () => {
    const clocked = createAnswerEngine({ index, lexicon, now: () => new Date('2026-11-28T18:30:00Z') });
    for (const q of ['hôm nay là thứ mấy, ngày bao nhiêu vậy bot', 'hnay ngay bao nhieu']) {
      const a = clocked.answer(q);
      expect(a.kind, q).toBe('today');
      expect(a.text, q).toBe('Hôm nay là Chủ nhật, ngày 29/11/2026; bây giờ là 01:30 (giờ Việt Nam).');
      expect(a.sources, q).toEqual([]);
    }
  });

  it('greets and thanks without searching', () => {
    expect(engine.answer('Xin chào!').kind).toBe('greeting');
    expect(engine.answer('cam on ban nhieu').kind).toBe('thanks');
    expect(engine.answer('   ').kind).toBe('empty');
    expect(engine.answer('\u0000\u0007').kind).toBe('empty');
  });

  it('says plainly that it does not do tasks (write, compute, translate, sing, remind), without searching', () => {
    for (const q of [
      'Viet giup toi mot bai tho ve mua thu',
      'Bot có biết hát không, hát cho tôi nghe một bài đi',
      'Nhắc tôi 6 giờ sáng mai dậy nhé',
      'Tính giúp tui 125 nhân 48 bằng bao nhiêu?',
      'bạn hãy viết cho tôi một lá đơn',
    ]) {
      const a = engine.answer(q);
      expect(a.kind, q).toBe('no_answer');
      expect(a.text, q).toBe(messages.cannotDo);
      expect(a.sources, q).toEqual([]);
    }
    // Questions that only look like it: another word with the same letters, support, asking for information.
    // The asker as subject ("tính" is also "plan to"), help for someone else, "could one …", "tinh" for "tỉnh",
    // "nhac" for "nhạc", "chi" of "chi hội".
    for (const q of [
      'tỉnh giúp đỡ hộ nghèo thế nào',
      'tinh giup do ho ngheo the nao',
      'tính hộ nghèo theo tiêu chí nào',
      'dịch bệnh cho tôi hỏi',
      'kể giúp tôi các chương trình của MTTQ',
      'viết đơn xin hỗ trợ thế nào',
      'nhắc lại chương trình phối hợp năm 2022',
      'Mình tính giúp bà con vùng lũ thì ủng hộ qua tài khoản nào?',
      'Em tính cho em trai đi xuất khẩu lao động, có được vay vốn không?',
      'Mình tính cho mình vay vốn hộ nghèo được không',
      'Tôi có thể viết giúp bố mẹ đơn đề nghị hỗ trợ không?',
      'Viết giúp người khác đơn có được không',
      'tinh giup nguoi dan vung lu nhu the nao',
      'hàng xóm hát karaoke, nhac to qua thì báo ai?',
      'hát cho chi hội phụ nữ vào dịp nào',
    ]) {
      expect(asksTask(q), q).toBe(false);
    }
  });

  it('does not read the name citizens call the bot by as part of the question', () => {
    expect(stripVocatives('hôm nay là thứ mấy, ngày bao nhiêu vậy bot')).toBe('hôm nay là thứ mấy, ngày bao nhiêu vậy');
    expect(stripVocatives('Bot ơi, chủ tịch MTTQ tỉnh Quảng Bình là ai?')).toBe('chủ tịch MTTQ tỉnh Quảng Bình là ai?');
    expect(stripVocatives('ad oi cho em hoi quy vi nguoi ngheo')).toBe('cho em hoi quy vi nguoi ngheo');
    expect(stripVocatives('quỹ ở đâu, ad?')).toBe('quỹ ở đâu');
    // A toll road is not a vocative.
    expect(stripVocatives('phí BOT')).toBe('phí BOT');
    expect(stripVocatives('dự án BOT giao thông')).toBe('dự án BOT giao thông');
    expect(stripVocatives('Quy định đối với BOT')).toBe('Quy định đối với BOT');
    expect(stripVocatives('So sánh hình thức BT, BOT')).toBe('So sánh hình thức BT, BOT');
    expect(stripVocatives('Làm sao để liên hệ với admin?')).toBe('Làm sao để liên hệ với admin?');
    expect(stripVocatives('Bot à, quỹ ở đâu')).toBe('quỹ ở đâu');
    expect(stripVocatives('quỹ ở đâu, bot ơi ạ')).toBe('quỹ ở đâu');
    expect(stripVocatives('BOT ƠI QUỸ Ở ĐÂU'.normalize('NFD'))).toBe('QUỸ Ở ĐÂU');
    expect(engine.answer('Bot ơi, chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?').text).toContain('Phạm Thị Hân');
    expect(engine.answer('bot ơi').kind).toBe('greeting');
  });

  it('refuses messages over 2,000 characters politely, without searching', () => {
    const a = engine.answer('Mặt trận '.repeat(400));
    expect(a.kind).toBe('too_long');
    expect(a.text).toContain('2000');
  });

  it('bounds the terms taken from a long message', () => {
    const long = items
      .filter((i) => i.type === 'article')
      .map((i) => (i.type === 'article' ? i.body : ''))
      .join(' ')
      .slice(0, 1999);
    const plan = planQuery(long, index, lexicon);
    expect(plan.weights.size).toBeLessThanOrEqual(MAX_QUERY_TERMS);
    expect(engine.answer(long).kind).not.toBe('too_long');
  });

  it('recognises provinces (old names mapped) and years in the question', () => {
    const plan = planQuery('UBND và MTTQ tỉnh Quảng Bình ký chương trình phối hợp gì năm 2022?', index, lexicon);
    expect(plan.provinces.map((p) => p.name)).toEqual(['Quảng Trị']);
    expect(plan.years).toEqual([2022]);
  });

  it('adds, replaces and removes one document at a time', () => {
    const local = build();
    const e = createAnswerEngine({ index: local, lexicon });
    local.upsert({
      id: 'new',
      type: 'article',
      title: 'Thông báo lịch tiếp công dân tháng 12',
      summary: '',
      body: 'Ủy ban MTTQ xã An Phú tiếp công dân vào sáng thứ Năm hằng tuần.',
      source: 'staff',
    });
    expect(e.answer('MTTQ xã An Phú tiếp công dân khi nào?').sources[0]!.id).toBe('new');
    local.upsert({
      id: 'new',
      type: 'article',
      title: 'Thông báo lịch tiếp công dân tháng 12',
      summary: '',
      body: 'Ủy ban MTTQ xã An Phú tiếp công dân vào chiều thứ Sáu.',
      source: 'staff',
    });
    e.invalidate('new');
    expect(e.answer('MTTQ xã An Phú tiếp công dân khi nào?').text).toContain('chiều thứ Sáu');
    expect(local.remove('new')).toBe(true);
    expect(e.rank('MTTQ xã An Phú tiếp công dân', 5).map((r) => r.doc.id)).not.toContain('new');
  });

  it('restores the same answers from a snapshot, and refuses a snapshot of other content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-snap-'));
    try {
      const file = join(dir, 'index');
      await index.saveSnapshot(file, 'k1');
      const loaded = await ArticleIndex.loadSnapshot(file, 'k1');
      expect(loaded.size).toBe(index.size);
      const e2 = createAnswerEngine({ index: loaded, lexicon });
      for (const q of ['Chủ tịch MTTQ tỉnh Quảng Bình là ai?', 'lao cai ung ho bao nhieu']) expect(e2.answer(q)).toEqual(engine.answer(q));
      await expect(ArticleIndex.loadSnapshot(file, 'other')).rejects.toThrow(/other content/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('choosing the sentences to quote', () => {
  const local = ArticleIndex.create();
  local.upsert(
    article('chu-tich-moi', 'Ông Nguyễn Văn An làm Chủ tịch Ủy ban MTTQ tỉnh Hà Tĩnh', [
      'Sáng 22/6, Hội nghị Ủy ban MTTQ tỉnh Hà Tĩnh đã hiệp thương cử ông Nguyễn Văn An, Phó Chủ tịch Ủy ban MTTQ tỉnh Hà Tĩnh, làm Chủ tịch Ủy ban MTTQ tỉnh Hà Tĩnh.',
      'Ông Nguyễn Văn An thay ông Trần Văn Bình nghỉ hưu theo chế độ.',
      'Tóm tắt tiểu sử: ông Nguyễn Văn An sinh ngày 12/8/1970, quê quán xã Thạch Hà, tỉnh Hà Tĩnh.',
    ]),
  );
  local.upsert({
    id: 'dieu-kien',
    type: 'article',
    title: 'Hộ được hỗ trợ xây nhà Đại đoàn kết',
    summary: '',
    body: [
      'Năm 2024, Ủy ban MTTQ huyện Kỳ Anh tiếp tục vận động Quỹ Vì người nghèo để xây nhà Đại đoàn kết.',
      'Hộ được hỗ trợ xây nhà Đại đoàn kết phải có đủ các điều kiện sau đây:',
      'Là hộ nghèo có tên trong danh sách của xã và chưa có nhà ở hoặc nhà ở đã hư hỏng nặng.',
      'Mỗi nhà được hỗ trợ 60 triệu đồng.',
    ].join('\n'),
    source: 'test',
  });
  local.upsert(
    article('dur-kmal', 'Tổng Bí thư dự Ngày hội Đại đoàn kết toàn dân tộc tại xã Dur Kmăl', [
      'Nhân kỷ niệm 88 năm Ngày truyền thống Mặt trận Tổ quốc Việt Nam (18/11/1930 - 18/11/2018), ngày 11/11, Tổng Bí thư đã về dự Ngày hội Đại đoàn kết toàn dân tộc tại xã Dur Kmăl, huyện Krông Ana, tỉnh Đắk Lắk.',
      'Tổng Bí thư chung vui Ngày hội Đại đoàn kết cùng đồng bào xã Dur Kmăl, huyện Krông Ana, tỉnh Đắk Lắk.',
      'Phát biểu tại Ngày hội, Tổng Bí thư biểu dương tinh thần đại đoàn kết của đồng bào xã Dur Kmăl.',
      'Toàn xã hiện có gần 7500 nhân khẩu, với 7 dân tộc anh em cùng sinh sống.',
      'Tổng Bí thư đề nghị tỉnh Đắk Lắk tiếp tục phát huy sức mạnh đại đoàn kết toàn dân tộc.',
      'Dịp này, Tổng Bí thư tặng quà cho các hộ nghèo xã Dur Kmăl, tỉnh Đắk Lắk.',
      'Ngày hội diễn ra trong không khí vui tươi, đoàn kết.',
    ]),
  );
  local.upsert(
    article('hop-tru-bi', 'Họp trù bị Hội nghị Chủ tịch Mặt trận ba nước Campuchia - Lào - Việt Nam', [
      'Cuộc họp trù bị Hội nghị Chủ tịch Mặt trận ba nước Campuchia - Lào - Việt Nam đã được tổ chức sáng 26/5 tại Hà Nội.',
      'Ông Trần Thanh Mẫn, Phó Chủ tịch Ủy ban Trung ương MTTQ Việt Nam, và ông Nhem Valy, Quyền Tổng Thư ký Hội đồng quốc gia Mặt trận Campuchia, đồng chủ trì cuộc họp.',
      'Hội nghị Chủ tịch Mặt trận ba nước dự kiến được tổ chức vào tháng 6 tại Hà Nội.',
    ]),
  );
  // Documents of their own index, so that the term weights of the cases above stay as they were.
  const more = ArticleIndex.create();
  more.upsert(
    article('nghi-quyet', 'Ký Nghị quyết liên tịch về giám sát, phản biện xã hội', [
      'Ngày 15/6, Ủy ban Thường vụ Quốc hội, Chính phủ và Đoàn Chủ tịch Ủy ban Trung ương MTTQ Việt Nam ký Nghị quyết liên tịch quy định chi tiết các hình thức giám sát, phản biện xã hội.',
      'Theo đó, Nghị quyết gồm 4 chương, 25 điều.',
      'Chương 1 về những quy định chung nêu rõ phạm vi điều chỉnh: Nghị quyết liên tịch này quy định chi tiết các hình thức giám sát, phản biện xã hội của Mặt trận Tổ quốc Việt Nam.',
      'Chương 3 của Nghị quyết quy định về hình thức phản biện xã hội.',
    ]),
  );
  more.upsert(
    article('tang-le', 'Lễ tang bà Nguyễn Thị Hoa', [
      'Bà Nguyễn Thị Hoa, nguyên Phó Chủ tịch UBND tỉnh Đồng Tháp, từ trần ngày 20/2 tại nhà riêng.',
      'Bà Nguyễn Thị Hoa được phân công phụ trách lĩnh vực giáo dục, văn hoá và y tế của tỉnh.',
      'Lễ viếng bà Nguyễn Thị Hoa bắt đầu từ 18h ngày 21/2.',
      'Lễ di quan lúc 6h ngày 23/2, an táng tại Nghĩa trang nhân dân xã Tân Hoà, huyện Lai Vung.',
    ]),
  );
  more.upsert(
    article('giam-sat-3-nam', 'Ba năm thực hiện giám sát, phản biện xã hội', [
      'Sau 3 năm, Mặt trận và các tổ chức thành viên đã tổ chức hơn 56 nghìn cuộc giám sát.',
      'Đồng thời có hơn 90 nghìn cuộc đối thoại giữa nhân dân với chính quyền các cấp.',
      'Với 178 ngàn lần tổ chức giám sát, phản biện, đối thoại trong 3 năm đã thể hiện tính xã hội của hoạt động.',
    ]),
  );
  const quoteOf = (q: string, tuning = {}) => createAnswerEngine({ index: local, lexicon, tuning }).answer(q).quote!.join(' ');
  const quoteOfMore = (q: string, tuning = {}) => createAnswerEngine({ index: more, lexicon, tuning }).answer(q).quote!.join(' ');

  it('reads a sentence that leans on the one before ("Theo đó, …") with it, and quotes both', () => {
    const q = 'Nghị quyết liên tịch về giám sát, phản biện xã hội ký ngày 15/6 gồm mấy chương, mấy điều?';
    // Without following on from the best sentence, so that only reading with the context can bring it in.
    const alone = { followOn: false, secondSentenceRatio: 1 };
    expect(quoteOfMore(q, alone)).toContain('Theo đó, Nghị quyết gồm 4 chương, 25 điều.');
    expect(quoteOfMore(q, alone)).toContain('Ngày 15/6, Ủy ban Thường vụ Quốc hội');
    expect(quoteOfMore(q, { ...alone, contextWeight: 0 })).not.toContain('4 chương');
    expect(quoteOfMore(q)).toContain('4 chương, 25 điều');
  });

  it('quotes, for "ở đâu", the sentence that names a place next to what is asked', () => {
    const q = 'Bà Nguyễn Thị Hoa, nguyên Phó Chủ tịch UBND tỉnh Đồng Tháp, được an táng ở đâu?';
    expect(quoteOfMore(q, { secondSentenceRatio: 1 })).toContain('an táng tại Nghĩa trang nhân dân xã Tân Hoà');
    expect(quoteOfMore(q, { secondSentenceRatio: 1, shapeBonus: 0 })).not.toContain('Nghĩa trang');
  });

  it('counts what comes right after "bao nhiêu" ("bao nhiêu lần …") as the unit of the answer', () => {
    const q = 'Sau 3 năm, Mặt trận đã tổ chức tổng cộng bao nhiêu lần giám sát, phản biện và đối thoại?';
    expect(planQuery(q, more, lexicon).unit).toEqual(['lan']);
    expect(quoteOfMore(q, { secondSentenceRatio: 1 })).toContain('178 ngàn lần');
    expect(planQuery('mỗi nhà được hỗ trợ bao nhiêu tiền', more, lexicon).unit).toEqual(['tien']);
    expect(planQuery('Quyết định số mấy về tiếp xúc với dân', more, lexicon).unit).toEqual([]);
  });

  it('quotes the sentence with what the question asks about, not the lead that repeats its context', () => {
    const q = 'Chủ tịch Ủy ban MTTQ tỉnh Hà Tĩnh Nguyễn Văn An sinh ngày nào, quê quán ở đâu?';
    expect(planQuery(q, local, lexicon).focus).toContain('que_quan');
    expect(quoteOf(q)).toContain('sinh ngày 12/8/1970');
    expect(quoteOf(q, { focusWeight: 0, shapeBonus: 0, secondSentenceRatio: 1 })).not.toContain('sinh ngày 12/8/1970');
  });

  it('quotes what a sentence announces ("các điều kiện sau đây:") with it', () => {
    const q = 'hộ được hỗ trợ xây nhà đại đoàn kết cần điều kiện gì';
    expect(quoteOf(q, { secondSentenceRatio: 1 })).toContain('Là hộ nghèo có tên trong danh sách');
    expect(quoteOf(q, { secondSentenceRatio: 1, followOn: false })).not.toContain('Là hộ nghèo');
  });

  it('quotes the same way when the citizen picks one of the close results', () => {
    const picked = createAnswerEngine({ index: local, lexicon, tuning: { secondSentenceRatio: 1 } }).answerFrom(
      'dieu kien ho duoc ho tro xay nha dai doan ket',
      'dieu-kien',
    )!;
    expect(picked.quote!.join(' ')).toContain('các điều kiện sau đây:');
    expect(picked.quote!.join(' ')).toContain('Là hộ nghèo có tên trong danh sách');
    expect(picked.text).toContain('Là hộ nghèo có tên trong danh sách');
  });

  it('merges partial tuning into the defaults, nested objects field by field', () => {
    const tuned = createAnswerEngine({ index: local, lexicon, tuning: { plan: { pair: 1.6 }, scoring: { fieldBoosts: { title: 3 } } } }).tuning;
    expect(tuned.plan.pair).toBe(1.6);
    expect(tuned.plan.syllable).toBe(DEFAULT_TUNING.plan.syllable);
    expect(tuned.scoring.fieldBoosts).toEqual({ ...DEFAULT_TUNING.scoring.fieldBoosts, title: 3 });
    expect(tuned.scoring.k1).toBe(DEFAULT_TUNING.scoring.k1);
  });

  it('quotes, for "bao nhiêu", the sentence where the new number stands next to what is counted', () => {
    const q = 'Xã Dur Kmăl ở Đắk Lắk, nơi Tổng Bí thư dự Ngày hội Đại đoàn kết, có bao nhiêu nhân khẩu?';
    expect(quoteOf(q, { secondSentenceRatio: 1 })).toContain('gần 7500 nhân khẩu');
    expect(quoteOf(q, { secondSentenceRatio: 1, shapeBonus: 0 })).not.toContain('7500');
  });

  it('quotes, for "ai", the sentence with a person and the words the question asks about', () => {
    const q = 'Cuộc họp trù bị Hội nghị Chủ tịch Mặt trận ba nước ngày 26/5 do những ai đồng chủ trì?';
    expect(quoteOf(q, { secondSentenceRatio: 1 })).toContain('Nhem Valy');
    expect(quoteOf(q, { secondSentenceRatio: 1, shapeBonus: 0 })).not.toContain('Nhem Valy');
  });

  it('counts "mấy" and the typo "bao nhiu" as asking for a number', () => {
    expect(planQuery('mỗi nhà được hỗ trợ mấy triệu', local, lexicon).kinds).toContain('quantity');
    expect(planQuery('moi nha duoc ho tro bao nhiu', local, lexicon).kinds).toContain('quantity');
    expect(quoteOf('moi nha duoc ho tro bao nhiu tien')).toContain('60 triệu đồng');
  });
});

describe('sentence shapes', () => {
  it('knows a sentence that leans on the one before, and not a word that only starts like "đó"', () => {
    for (const t of [
      'Việc đó được thực hiện từ năm 2020.',
      'Đây là lần đầu tiên.',
      'Theo đó, Nghị quyết gồm 4 chương.',
      'Khối kiến thức này gồm 40 tín chỉ.',
      'Mục đích là tạo điều kiện cho đồng bào.',
    ])
      expect(LEANS_BACK.test(t.toLowerCase()), t).toBe(true);
    for (const t of ['Nhân dân đóng góp 50 triệu đồng.', 'Người dân đón nhận chủ trương.', 'Đón Tết cùng người nghèo.', 'Cán bộ trên địa bàn xã đã có mặt.'])
      expect(LEANS_BACK.test(t.toLowerCase()), t).toBe(false);
  });

  it('knows a place, and not a legal reference or a meeting', () => {
    for (const t of ['an táng tại Nghĩa trang nhân dân xã Tân Hoà', 'quê ở xã Phổ Cường', 'tổ chức tại Hà Nội']) expect(PLACE.test(t), t).toBe(true);
    for (const t of ['quy định tại Điều 5 của Luật', 'phát biểu tại Hội nghị', 'Hội thảo về Nghị quyết 43', 'Văn bản Luật Đất đai'])
      expect(PLACE.test(t), t).toBe(false);
  });
});

describe('questions typed in chat', () => {
  it('reads "tên gì", "tên là gì" as asking for a person, not a definition', () => {
    expect(planQuery('cho mình hỏi chủ tịch UBMTTQ quận Long Biên tên là gì ạ', index, lexicon).kinds).toEqual(['person']);
    expect(planQuery('chủ tịch mặt trận thị trấn bị bắt tên gì', index, lexicon).kinds).toEqual(['person']);
  });

  it('reads chat shorthand as the words it stands for', () => {
    expect(planQuery('laptop cho người mù giá bn vậy', index, lexicon).kinds).toEqual(['quantity']);
    expect([...planQuery('HĐND tổng hợp dc bao nhiêu câu hỏi', index, lexicon).content.keys()]).not.toContain('dc');
  });

  it('does not take the particles that end a question ("vậy", "v", "hả") as what it is about', () => {
    const content = (q: string) => [...planQuery(q, index, lexicon).content.keys()];
    expect(content('chủ tịch mặt trận xã tên gì vậy')).not.toContain('vay');
    expect(content('chi do ten gi v')).not.toContain('v');
    expect(content('quy vi nguoi ngheo nhan duoc bao nhieu tien vay')).not.toContain('vay');
    // Nor a pair with them.
    expect([...planQuery('phó chủ tịch UBMTTQ tỉnh là ai vậy ạ', index, lexicon).focus]).not.toContain('vay_a');
    expect(content('ho ngheo duoc vay von hả')).toContain('vay');
    // Without diacritics "vay" is a loan unless a question word stands before it.
    expect(content('ngan hang nao cho vay')).toContain('vay');
  });

  it('does not answer a question about the coming or last few days from an old article', () => {
    const local = ArticleIndex.create();
    const add = (id: string, publishedAt: string) =>
      local.upsert({
        id,
        type: 'article',
        title: 'Dự báo thời tiết Hà Nội',
        summary: '',
        body: 'Ngày mai Hà Nội có mưa rào và dông, nhiệt độ từ 25 đến 30 độ C.',
        publishedAt,
        source: 'test',
      });
    add('thoi-tiet', '2017-06-15');
    const at = () => new Date('2026-11-28T10:00:00+07:00');
    const old = createAnswerEngine({ index: local, lexicon, now: at }).answer('Ngày mai Hà Nội có mưa không?');
    expect(old.kind).toBe('no_answer');
    expect(old.text).toContain('chưa có thông tin cập nhật');
    expect(old.text).toContain('Dự báo thời tiết Hà Nội (15/06/2017)');
    // Chat shorthand for "hôm nay" counts too.
    expect(createAnswerEngine({ index: local, lexicon, now: at }).answer('hnay Hà Nội có mưa ko').kind).toBe('no_answer');
    // The same article on a day it was news, and a question that does not say when, are answered.
    expect(createAnswerEngine({ index: local, lexicon, now: () => new Date('2017-06-15T12:00:00+07:00') }).answer('Ngày mai Hà Nội có mưa không?').kind).toBe(
      'answer',
    );
    expect(createAnswerEngine({ index: local, lexicon, now: at }).answer('Hà Nội có mưa rào và dông không, nhiệt độ bao nhiêu?').kind).toBe('answer');
    // A recent article among the results answers it, even when an old one ranks first, when it is decided to answer
    // as any best article would be.
    local.upsert({
      id: 'thoi-tiet-moi',
      type: 'article',
      title: 'Thời tiết',
      summary: '',
      body: 'Ngày mai Hà Nội trời nắng, không có mưa.',
      publishedAt: '2026-11-27',
      source: 'test',
    });
    const fresh = createAnswerEngine({ index: local, lexicon, now: at }).answer('Ngày mai Hà Nội có mưa không?');
    expect(fresh.kind).toBe('answer');
    expect(fresh.sources[0]!.id).toBe('thoi-tiet-moi');
  });

  it('reads the end of a question as a particle only where it is one ("bao nhiêu nhà", "ai dạy", "là gì vậy à")', () => {
    const content = (q: string) => [...planQuery(q, index, lexicon).content.keys()];
    expect(content('Năm 2024 huyện xây được bao nhiêu nhà?')).toContain('nha');
    expect(content('Lớp học tình thương do ai dạy?')).toContain('day');
    expect(content('dien tich lua cua xa la bao nhieu ha')).toContain('ha');
    expect(content('đã cấp được bao nhiêu thẻ')).toContain('the');
    expect(content('hộ nghèo là gì vậy à')).not.toContain('vay');
    expect(content('ho ngheo la gi vay a')).not.toContain('vay');
    expect(planQuery('giá bn vậy mn', index, lexicon).unit).toEqual([]);
    expect(planQuery('Học phí bao nhiêu? Trường nào rẻ', index, lexicon).unit).toEqual([]);
  });
});

describe('definition questions', () => {
  const local = ArticleIndex.create();
  const add = (id: string, body: string) => local.upsert({ id, type: 'article', title: '', summary: '', body, source: 'test' });
  add(
    'thai-binh-duong',
    'Thái Bình Dương là đại dương lớn nhất trên Trái Đất. Diện tích của đại dương này chiếm một phần ba bề mặt Trái Đất. Đại dương này có nhiều đảo.',
  );
  add('dai-duong', 'Trên Trái Đất có năm đại dương. Đại dương là khối nước mặn tạo nên phần lớn thủy quyển của một hành tinh.');
  add('hoc-ky', 'Học kỳ chính có 15 tuần thực học. Học kỳ là thời gian để sinh viên hoàn thành một số học phần.');
  add('hoc-phan', 'Mỗi học kỳ sinh viên đăng ký các học phần. Học phần là khối lượng kiến thức tương đối trọn vẹn.');
  const rankOf = (q: string, tuning = {}) =>
    createAnswerEngine({ index: local, lexicon, tuning })
      .rank(q, 2)
      .map((r) => r.doc.id);

  it('reads what a definition question asks about', () => {
    expect(planQuery('Đại dương là gì?', local, lexicon).subject).toBe('dai duong');
    expect(planQuery('Định nghĩa học kỳ?', local, lexicon).subject).toBe('hoc ky');
    expect(planQuery('the nao la hoc ky', local, lexicon).subject).toBe('hoc ky');
    expect(planQuery('BHXH là gì vậy?', local, lexicon).subject).toBe('bhxh');
    expect(planQuery('ĐHQG là viết tắt của gì', local, lexicon).subject).toBe('dhqg');
    expect(planQuery('Học kỳ chính có bao nhiêu tuần?', local, lexicon).subject).toBeUndefined();
  });

  it('prefers the document whose sentence defines it over one that only mentions it', () => {
    for (const q of ['Đại dương là gì?', 'dai duong la gi', 'Định nghĩa đại dương']) {
      expect(rankOf(q)[0], q).toBe('dai-duong');
      expect(createAnswerEngine({ index: local, lexicon }).answer(q).quote!.join(' '), q).toContain('khối nước mặn');
    }
    expect(rankOf('Học kỳ là gì?')[0]).toBe('hoc-ky');
    // Without the bonus the longer article about one ocean wins.
    expect(rankOf('Định nghĩa đại dương', { definitionBonus: 0 })[0]).toBe('thai-binh-duong');
  });
});

describe('abbreviation questions', () => {
  it('says what a known abbreviation stands for, even when no article defines it, and does not record it as unanswered', () => {
    for (const q of ['UBND là gì?', 'ubnd la gi', 'UBND là viết tắt của gì vậy', 'Cho mình hỏi UBND là gì?', 'xin hỏi ubnd là gì ạ']) {
      const a = engine.answer(q);
      expect(a.kind, q).toBe('answer');
      expect(a.text, q).toBe('UBND là viết tắt của “Uỷ ban nhân dân”.');
    }
    expect(engine.answer('CT là viết tắt của gì').text).toContain('“Chủ tịch” hoặc “Chỉ thị”');
    // A question that also asks something else is searched as usual.
    expect(planQuery('UBND là gì và ở đâu', index, lexicon).subject).toBeUndefined();
    expect(engine.answer('UBND là gì và ở đâu').text).not.toContain('là viết tắt của');
  });

  it('adds the sentence of an article that defines it, and only such a sentence', () => {
    const local = ArticleIndex.create();
    local.upsert({
      id: 'viet-tat',
      type: 'article',
      title: 'Viết tắt',
      summary: '',
      body: 'ĐHQG là viết tắt của Đại học Quốc gia TP. Hồ Chí Minh. P.ĐTĐH là Phòng Đào tạo.',
      source: 'test',
    });
    local.upsert({ id: 'khac', type: 'article', title: 'Tuyển sinh', summary: '', body: 'ĐHQG tuyển sinh năm 2024 theo ba phương thức.', source: 'test' });
    const withArticles = createAnswerEngine({ index: local, lexicon });
    const a = withArticles.answer('ĐHQG là viết tắt của gì?');
    expect(a.text.split('\n\n')[0]).toBe('ĐHQG là viết tắt của “Đại học quốc gia”.');
    expect(a.text).toContain('Đại học Quốc gia TP. Hồ Chí Minh');
    expect(a.sources[0]!.id).toBe('viet-tat');
    // A sentence that only has the word is not added.
    local.remove('viet-tat');
    withArticles.invalidate('viet-tat');
    expect(withArticles.answer('ĐHQG là gì?').text).toBe('ĐHQG là viết tắt của “Đại học quốc gia”.');
    // The spelled-out name may be followed by a few words before "là"; a sentence where it is not the subject
    // ("Chủ tịch Ủy ban nhân dân là ông …") does not define it.
    local.upsert({
      id: 'mttq',
      type: 'article',
      title: 'Giới thiệu',
      summary: '',
      body: 'Mặt trận Tổ quốc Việt Nam là tổ chức liên minh chính trị, liên hiệp tự nguyện.',
      source: 'test',
    });
    local.upsert({
      id: 'ubnd',
      type: 'article',
      title: 'Nhân sự',
      summary: '',
      body: 'Chủ tịch Ủy ban nhân dân xã là ông Nguyễn Văn B, nhiệm kỳ 2021-2026.',
      source: 'test',
    });
    expect(withArticles.answer('MTTQ là gì?').text).toContain('tổ chức liên minh chính trị');
    expect(withArticles.answer('UBND là gì?').text).toBe('UBND là viết tắt của “Uỷ ban nhân dân”.');
  });
});

describe('several articles on one event', () => {
  const event = ArticleIndex.create();
  event.upsert(
    article('ho-c3-tin', 'Thương tâm ở Ia Grai', [
      'Vào khoảng 16 giờ ngày 2-6, bốn trẻ nhỏ ở xã Ia Sao, huyện Ia Grai, tỉnh Gia Lai bị đuối nước thương tâm tại hồ C3.',
      'Các em đều học lớp 3.',
      'Ủy ban MTTQ xã Ia Sao đã đến thăm hỏi, động viên các gia đình.',
    ]),
  );
  event.upsert(
    article('ho-c3-phong-su', 'Tang thương phủ trắng xóm nghèo', [
      'Bốn em nhỏ ở xã Ia Sao, huyện Ia Grai đã không trở về sau buổi chiều đi tắm.',
      'Người dân địa phương cho biết, tại hồ C3 đã xảy ra 4 vụ đuối nước và cướp đi sinh mạng của 8 người.',
      'Ủy ban MTTQ huyện Ia Grai trao quà hỗ trợ các gia đình.',
    ]),
  );
  event.upsert(
    article('ho-c3-tong-hop', 'Cần rào chắn các hồ chứa nước', [
      'Chiều 3-6, một vụ đuối nước nữa đã xảy ra tại hồ chứa ở huyện Ia Grai.',
      'Tính từ năm 2015, hồ chứa trên địa bàn đã có 9 vụ đuối nước.',
      'Mặt trận huyện kiến nghị rào chắn các hồ.',
    ]),
  );
  for (let i = 0; i < 20; i++)
    event.upsert(article(`other-${i}`, `Tin địa phương số ${i}`, `Người dân xã ${i} tham gia ngày hội đại đoàn kết. Hồ chứa nước được nạo vét.`));
  const first = (q: string, tuning = {}) => createAnswerEngine({ index: event, lexicon, tuning }).rank(q, 2)[0]!.doc.id;

  it('puts first, for "bao nhiêu", the article that states the count next to what is counted', () => {
    const q = 'hồ C3 ở xã Ia Sao Gia Lai đã xảy ra mấy vụ đuối nước rồi vậy';
    // Without the distinct-coverage term, which puts the same article first here for its other words, and with
    // the coverage weight of the eighth session (0.6), under which the count alone decides this fixture.
    expect(first(q, { distinctWeight: 0, coverageWeight: 0.6 })).toBe('ho-c3-phong-su');
    expect(first(q, { distinctWeight: 0, coverageWeight: 0.6, rankShape: 0 })).toBe('ho-c3-tin');
    expect(first(q)).toBe('ho-c3-phong-su');
  });

  it('does not take a date or a time of day for a count ("chiều 3-6, một vụ")', () => {
    const quote = createAnswerEngine({ index: event, lexicon, tuning: { secondSentenceRatio: 1 } })
      .answerFrom('hồ chứa ở Ia Grai đã xảy ra mấy vụ đuối nước', 'ho-c3-tong-hop')!
      .quote!.join(' ');
    expect(quote).toContain('9 vụ đuối nước');
    expect(quote).not.toContain('Chiều 3-6');
  });

  it('puts first, for a long question, the article with the words the others on that event lack', () => {
    const crash = indexWith(
      [
        [
          'kl-tin',
          'Xe tải gây tai nạn thảm khốc ở xã Kim Lương, Hải Dương',
          'Chiều 21-1, xe tải gây tai nạn thảm khốc ở xã Kim Lương, huyện Kim Thành, Hải Dương. Vụ tai nạn xe tải ở Kim Lương khiến 8 người chết.',
        ],
        [
          'kl-ma-tuy',
          'Tài xế dương tính với ma túy',
          'Tài xế xe tải gây tai nạn ở xã Kim Lương, Hải Dương dương tính với ma túy. Lúc đó trên xe chở 4 tấn bột bả sơn.',
        ],
        ['kl-khoi-to', 'Khởi tố tài xế xe tải gây tai nạn ở xã Kim Lương, Hải Dương', 'Công an Hải Dương khởi tố tài xế xe tải gây tai nạn ở xã Kim Lương.'],
        ['kl-vieng', 'Viếng nạn nhân vụ tai nạn ở Kim Lương, Hải Dương', 'Lãnh đạo tỉnh Hải Dương viếng các nạn nhân vụ xe tải gây tai nạn ở xã Kim Lương.'],
      ],
      20,
    );
    const top = (q: string, tuning = {}) => createAnswerEngine({ index: crash, lexicon, tuning }).rank(q, 1)[0]!.doc.id;
    const q = 'xe tải gây tai nạn ở xã Kim Lương Hải Dương lúc đó chở hàng gì';
    expect(top(q)).toBe('kl-ma-tuy');
    expect(top(q, { distinctWeight: 0 })).toBe('kl-khoi-to');
    // A short question has no context to repeat: the term is off.
    expect(top('xe tải chở hàng gì', { distinctWeight: 0 })).toBe(top('xe tải chở hàng gì'));
  });

  it('counts, when ranking, only the unit the question names, not any word next to "mấy"', () => {
    const idx = indexWith([
      ['lu', 'Mưa lũ ở xã Ia Sao', 'Năm 2016, xã Ia Sao đã xảy ra 2 trận lũ lớn, nhiều người đuối nước trong lũ. Mặt trận xã hỗ trợ các gia đình.'],
      ['ho', 'Hồ tưới cà phê', 'Người dân xã Ia Sao cho biết ở hồ này có 4 vụ đuối nước. Mặt trận huyện kiến nghị rào chắn.'],
    ]);
    const scores = (tuning: object) =>
      new Map(
        createAnswerEngine({ index: idx, lexicon, tuning })
          .rank('xã Ia Sao đã xảy ra mấy vụ đuối nước', 2)
          .map((r) => [r.doc.id, r.score]),
      );
    const shaped = scores({ distinctWeight: 0 });
    const plain = scores({ distinctWeight: 0, rankShape: 0 });
    // "đã xảy ra 2 trận lũ" is next to the question's "xảy ra", but it counts floods, not drownings.
    expect(shaped.get('lu')).toBe(plain.get('lu'));
    expect(shaped.get('ho')!).toBeGreaterThan(plain.get('ho')!);
  });

  it('leaves the score of a short question as it was: distinct coverage is for long ones', () => {
    const idx = ArticleIndex.create();
    for (const [id, body] of [
      ['a', 'Xe tải chở hàng gây tai nạn ở xã Kim Lương.'],
      ['b', 'Xe tải chở 4 tấn bột bả sơn.'],
      ['c', 'Xã Kim Lương tổ chức hội nghị.'],
    ])
      idx.upsert(article(id!, '', body!));
    const scores = (tuning: object) =>
      createAnswerEngine({ index: idx, lexicon, tuning })
        .rank('xe tải chở hàng gì', 3)
        .map((r) => [r.doc.id, r.score]);
    expect(scores({})).toEqual(scores({ distinctWeight: 0 }));
  });
});

describe('numbers that are not counts', () => {
  const idx = indexWith([
    [
      'phi',
      'Nghèo quá, lấy gì mà đùm',
      'Hộ cận nghèo ở xã Hòa An phải đóng quỹ Vì người nghèo và nhiều khoản khác. Quỹ Vì người nghèo thu mỗi hộ một ít. Tất cả các khoản phí tới 20 nghìn đồng.',
    ],
    ['tai-nan', 'Tai nạn ở Ia Sao', 'Khoảng 16 giờ 30, người dân xã Ia Sao phát hiện vụ tai nạn và đưa người bị thương đi cấp cứu. Có 5 người bị thương.'],
  ]);
  const quote = (q: string, id: string) =>
    createAnswerEngine({ index: idx, lexicon, tuning: { secondSentenceRatio: 1 } })
      .answerFrom(q, id)!
      .quote!.join(' ');

  it('reads the word before a number as written: "tới 20 nghìn" is an amount, "tối 20" would be a date', () => {
    expect(quote('hộ cận nghèo xã Hòa An đóng quỹ vì người nghèo và các khoản tổng cộng bao nhiêu tiền', 'phi')).toContain('tới 20 nghìn đồng');
  });

  it('takes the minutes of "16 giờ 30" for a time, not for 30 people', () => {
    expect(quote('vụ tai nạn ở xã Ia Sao có bao nhiêu người bị thương', 'tai-nan')).toBe('Có 5 người bị thương.');
  });
});

describe('the province, the year and the names a question gives', () => {
  // News articles carry no province or date field: what they name in their text is what counts.
  const news = indexWith([
    [
      'ha-noi',
      'Hà Nội triển khai dịch vụ công trực tuyến mức độ 3',
      'Hà Nội đã đưa 500 dịch vụ công trực tuyến mức độ 3 vào vận hành trên cổng dịch vụ công của thành phố.',
    ],
    [
      'nghe-an',
      'Đẩy mạnh cải cách hành chính',
      'Năm nay, cổng dịch vụ công của tỉnh Nghệ An có 808 dịch vụ công trực tuyến mức độ 3. Người dân nộp hồ sơ qua mạng.',
    ],
    ['hue-person', 'Người phụ nữ làm kinh tế giỏi', 'Bà Huệ có 300 dịch vụ công trực tuyến mức độ 3 được giới thiệu cho bà con trên cổng dịch vụ công.'],
    ['hue-city', 'Cải cách hành chính ở cố đô', 'Cổng dịch vụ công của Huế có 250 dịch vụ công trực tuyến. Các dịch vụ ở mức độ 3 được mở rộng.'],
    ['quang-binh', 'Dịch vụ công ở Quảng Bình', 'Tỉnh Quảng Bình đưa 400 dịch vụ công trực tuyến mức độ 3 lên cổng dịch vụ công.'],
    ['tngt-2019', '6 tháng đầu năm: tai nạn giao thông giảm', 'Trong 6 tháng đầu năm 2019, cả nước xảy ra 8.385 vụ tai nạn giao thông, làm chết 3.200 người.'],
    [
      'tngt-2017',
      'Sơ kết công tác bảo đảm trật tự an toàn giao thông',
      'Uỷ ban An toàn giao thông quốc gia cho biết 6 tháng đầu năm 2017 có 9.593 vụ tai nạn giao thông, làm chết 4.134 người và bị thương nhiều người khác trên khắp các tuyến đường.',
    ],
  ]);
  const scores = (q: string, tuning = {}) =>
    new Map(
      createAnswerEngine({ index: news, lexicon, tuning })
        .rank(q, 6)
        .map((r) => [r.doc.id, r.score]),
    );
  /** Score with the rule over score without it, per document. */
  const factors = (q: string, off: object, on: object) => {
    const [without, withRule] = [scores(q, off), scores(q, on)];
    return Object.fromEntries([...withRule].map(([id, score]) => [id, Number((score / without.get(id)!).toFixed(6))]));
  };

  it('holds back a candidate that names none of the provinces of the question', () => {
    const f = factors('cổng dịch vụ công trực tuyến của Nghệ An có bao nhiêu dịch vụ mức độ 3', { provinceMissing: 0 }, { provinceMissing: 0.25 });
    expect(f['nghe-an']).toBe(1);
    expect(f['ha-noi']).toBe(0.75);
    // Old names count both ways: a question on Quảng Trị (Quảng Bình merged into it in 2025) is one on an
    // article that names only Quảng Bình.
    expect(factors('Quảng Trị có bao nhiêu dịch vụ công trực tuyến mức độ 3', { provinceMissing: 0 }, { provinceMissing: 0.25 })['quang-binh']).toBe(1);
  });

  it('does not take a person named Huệ for the city of Huế', () => {
    const f = factors('cổng dịch vụ công trực tuyến của Huế có bao nhiêu dịch vụ mức độ 3', { provinceMissing: 0 }, { provinceMissing: 0.25 });
    expect(f['hue-city']).toBe(1);
    expect(f['hue-person']).toBe(0.75);
  });

  it('holds back a candidate that names none of the years of the question', () => {
    const f = factors('6 tháng đầu năm 2017 cả nước xảy ra bao nhiêu vụ tai nạn giao thông', { yearMissing: 0 }, { yearMissing: 0.25 });
    expect(f['tngt-2017']).toBe(1);
    expect(f['tngt-2019']).toBe(0.75);
    // An article published in that year names it too.
    news.upsert({
      ...article('tngt-dated', 'Tai nạn giao thông giảm trong 6 tháng đầu năm', 'Cả nước xảy ra 9.000 vụ tai nạn giao thông trong 6 tháng đầu năm nay.'),
      publishedAt: '2017-07-01',
    });
    const g = factors('6 tháng đầu năm 2017 cả nước xảy ra bao nhiêu vụ tai nạn giao thông', { yearMissing: 0 }, { yearMissing: 0.25 });
    news.remove('tngt-dated');
    expect(g['tngt-dated']).toBe(1);
  });

  it('reads the names a question writes with capitals, not its first word or a province', () => {
    expect(questionNames('hôm an táng đại tướng Lê Đức Anh ở nghĩa trang TPHCM ai tuyên bố', lexicon)).toEqual(['duc_anh']);
    expect(questionNames('Bà Võ Thị Dung được giao phụ trách mảng nào?', lexicon)).toEqual(['thi_dung']);
    expect(questionNames('Tại Hội nghị Trung ương 9 có bao nhiêu người?', lexicon)).toEqual([]);
    expect(questionNames('xã Kim Lương (Hải Dương) nhận bao nhiêu quà', lexicon)).toEqual(['kim_luong']);
    expect(questionNames('ba vo thi dung phu trach mang nao', lexicon)).toEqual([]);
    // The first word of every sentence and words of address are no part of a name.
    expect(questionNames('Cho hỏi. Tại Hội nghị Trung ương 9 thì sao?', lexicon)).toEqual([]);
    expect(questionNames('cho hỏi về Ông Lại Xuân Môn', lexicon)).toEqual(['xuan_mon']);
    expect(questionNames('chị Nguyễn Thị Huệ ở đâu', lexicon)).toEqual(['thi_hue']);
    // A province inside a run is cut out; what is left may still be a name.
    expect(questionNames('người dân ở Hồ Chí Minh nói gì', lexicon)).toEqual([]);
    expect(questionNames('bảo tàng Võ Nguyên Giáp Hà Nội mở cửa khi nào', lexicon)).toEqual(['nguyen_giap']);
    // A question in Title Case has no names to tell.
    expect(questionNames('Xã Này Có Bao Nhiêu Người Nghèo?', lexicon)).toEqual([]);
    // One capitalised word not shaped like a Vietnamese syllable is a name by itself, unless it opens the sentence.
    expect(questionNames('Cuộc bầu cử tổng thống Venezuela có bao nhiêu cử tri?', lexicon)).toEqual(['venezuela']);
    expect(questionNames('Nguồn gốc Dota 2?', lexicon)).toEqual(['dota']);
    expect(questionNames('Formosa bồi thường bao nhiêu', lexicon)).toEqual([]);
  });

  it('leaves out of the names a pair common in the index ("Việt Nam")', () => {
    const common = indexWith([['vn', 'Tin trong nước', 'Việt Nam và Lào ký kết hợp tác.']], 10);
    for (let i = 0; i < 5; i++) common.upsert(article(`vn-${i}`, 'Tin', `Người Việt Nam ưu tiên dùng hàng Việt Nam lần ${i}.`));
    expect(questionNames('hồi đó MTTQ Việt Nam vận động ông Lại Xuân Môn làm gì vậy', lexicon)).toEqual(['viet_nam', 'xuan_mon']);
    expect(questionNames('hồi đó MTTQ Việt Nam vận động ông Lại Xuân Môn làm gì vậy', lexicon, common)).toEqual(['xuan_mon']);
  });

  it('holds back a candidate that lacks a name the question writes with capitals', () => {
    const people = indexWith([
      ['mon', 'Phát động Tết trồng cây', 'Chủ tịch Hội Nông dân Lại Xuân Môn kêu gọi mỗi hội viên trồng ít nhất một cây xanh.'],
      ['other', 'Tết trồng cây đời đời nhớ ơn Bác Hồ', 'Lãnh đạo tỉnh kêu gọi mỗi hội viên nông dân trồng một cây xanh trong dịp Tết trồng cây.'],
    ]);
    const ranked = (tuning: object) =>
      new Map(
        createAnswerEngine({ index: people, lexicon, tuning })
          .rank('Ông Lại Xuân Môn kêu gọi mỗi nông dân trồng mấy cây?', 2)
          .map((r) => [r.doc.id, r.score]),
      );
    const [off, on] = [ranked({ nameMissing: 0 }), ranked({ nameMissing: 0.25 })];
    expect(on.get('mon')! / off.get('mon')!).toBeCloseTo(1, 6);
    expect(on.get('other')! / off.get('other')!).toBeCloseTo(0.75, 6);
  });

  it('changes nothing for a question that gives no province, year or name', () => {
    const f = factors(
      'Cổng dịch vụ công trực tuyến có bao nhiêu dịch vụ mức độ 3',
      { provinceMissing: 0, yearMissing: 0, nameMissing: 0 },
      { provinceMissing: 0.25, yearMissing: 0.25, nameMissing: 0.25 },
    );
    expect(Object.values(f).every((x) => x === 1)).toBe(true);
    expect(Object.keys(f).length).toBeGreaterThan(2);
  });
});

describe('what a second article on the same event adds', () => {
  /** Two reports of one vote: the first ranks first for its title and words, the second gives the count asked for. */
  const firstReport = ['Chiều 20/6, Quốc hội khóa XIV thông qua Luật Cảnh vệ với đa số đại biểu tán thành.', 'Luật Cảnh vệ gồm 7 chương, 43 điều.'];
  const reports = (second: string[]) =>
    indexWith(
      [
        ['cv-tin', 'Quốc hội khóa XIV thông qua Luật Cảnh vệ chiều 20/6', firstReport.join(' ')],
        ['cv-bai', 'Quốc hội thông qua Luật Cảnh vệ', second.join(' ')],
      ],
      20,
    );
  const q = 'Luật Cảnh vệ được Quốc hội khóa XIV thông qua chiều 20/6 với bao nhiêu phiếu tán thành?';
  const countSentence = 'Luật Cảnh vệ được thông qua với 455 phiếu tán thành.';

  it('quotes, after the answer, the sentence of a close second article that has what the first lacks, and names it', () => {
    const idx = reports(['Chiều 20/6, Quốc hội biểu quyết Luật Cảnh vệ.', countSentence]);
    const ranked = createAnswerEngine({ index: idx, lexicon }).rank(q, 2);
    expect(ranked.map((r) => r.doc.id)).toEqual(['cv-tin', 'cv-bai']);
    expect(ranked[1]!.score).toBeGreaterThan(0.8 * ranked[0]!.score);
    const a = createAnswerEngine({ index: idx, lexicon }).answer(q);
    expect(a.quote!.join(' ')).not.toContain('455');
    expect(a.also).toEqual({ id: 'cv-bai', quote: [countSentence] });
    expect(a.text).toContain(messages.alsoSaid(countSentence, 'Quốc hội thông qua Luật Cảnh vệ', undefined));
    expect(a.body).toContain('455 phiếu tán thành');
    // Off (above 1) it is the answer alone.
    const alone = createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 2 } }).answer(q);
    expect(alone.also).toBeUndefined();
    expect(alone.text).not.toContain('455');
  });

  it('adds nothing when the second article only repeats the quote', () => {
    const vote = 'Chiều 20/6, Quốc hội khóa XIV thông qua Luật Cảnh vệ với 455 phiếu tán thành.';
    const idx = indexWith(
      [
        ['cv-tin', 'Quốc hội khóa XIV thông qua Luật Cảnh vệ chiều 20/6', `${vote} Luật Cảnh vệ gồm 7 chương, 43 điều.`],
        ['cv-bai', 'Quốc hội thông qua Luật Cảnh vệ', `Theo TTXVN, ${vote.charAt(0).toLowerCase()}${vote.slice(1)}`],
      ],
      20,
    );
    const a = createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 0 } }).answer(q);
    expect(a.quote!.join(' ')).toContain('455 phiếu');
    expect(a.also).toBeUndefined();
  });

  it('adds nothing when the second article\'s best sentence does not have what is asked (no count for "bao nhiêu")', () => {
    const idx = reports(['Các đại biểu bấm nút biểu quyết Luật Cảnh vệ tại hội trường Diên Hồng, phần lớn tán thành.']);
    expect(createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 0 } }).answer(q).also).toBeUndefined();
  });

  it('adds nothing from an article that scores well below the first', () => {
    const idx = reports(['Chiều 20/6, Quốc hội biểu quyết Luật Cảnh vệ.', countSentence]);
    const ranked = createAnswerEngine({ index: idx, lexicon }).rank(q, 2);
    const ratio = ranked[1]!.score / ranked[0]!.score;
    expect(createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: ratio - 0.01 } }).answer(q).also).toBeDefined();
    expect(createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: ratio + 0.01 } }).answer(q).also).toBeUndefined();
  });

  it('adds nothing from an article on another province than the one asked about, when the first is on it', () => {
    const idx = indexWith(
      [
        [
          'cm',
          'Cà Mau trao nhà Đại đoàn kết',
          'Ủy ban MTTQ tỉnh Cà Mau trao 20 nhà Đại đoàn kết cho hộ nghèo. Mỗi nhà được hỗ trợ 40 triệu đồng từ Quỹ Vì người nghèo của tỉnh.',
        ],
        ['ag', 'Trao nhà Đại đoàn kết cho hộ nghèo', 'Tỉnh An Giang chi 50 triệu đồng cho mỗi căn nhà Đại đoàn kết, do hộ nghèo tự xây.'],
      ],
      20,
    );
    const answer = (question: string) => createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 0 } }).answer(question);
    const inCaMau = answer('Cà Mau hỗ trợ mỗi nhà Đại đoàn kết bao nhiêu tiền?');
    expect(inCaMau.sources[0]!.id).toBe('cm');
    expect(inCaMau.also).toBeUndefined();
    expect(inCaMau.text).not.toContain('50 triệu');
    // Asked without a province, the An Giang article adds its figure.
    expect(answer('mỗi nhà Đại đoàn kết được hỗ trợ bao nhiêu tiền?').also?.id).toBe('ag');
  });
});

describe('what a second article may add, and when not', () => {
  /** The vote reports again, dated. */
  const dated = (
    first: string,
    second: string,
    secondBody = 'Chiều 20/6, Quốc hội biểu quyết Luật Cảnh vệ. Luật Cảnh vệ được thông qua với 455 phiếu tán thành.',
  ) => {
    const idx = ArticleIndex.create();
    idx.upsert({
      ...article(
        'cv-tin',
        'Quốc hội khóa XIV thông qua Luật Cảnh vệ chiều 20/6',
        'Chiều 20/6, Quốc hội khóa XIV thông qua Luật Cảnh vệ với đa số đại biểu tán thành. Luật Cảnh vệ gồm 7 chương, 43 điều.',
      ),
      publishedAt: first,
    });
    idx.upsert({ ...article('cv-bai', 'Quốc hội thông qua Luật Cảnh vệ', secondBody), publishedAt: second });
    for (let i = 0; i < 20; i++) idx.upsert(article(`o-${i}`, `Hội nghị tổng kết số ${i}`, `Hội nghị tổng kết công tác năm ${2000 + i} của ngành giáo dục.`));
    return idx;
  };
  const q = 'Luật Cảnh vệ được Quốc hội khóa XIV thông qua chiều 20/6 với bao nhiêu phiếu tán thành?';
  const also = (idx: ArticleIndex, question = q, now = new Date('2026-11-27T03:00:00Z')) =>
    createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 0 }, now: () => now }).answer(question).also?.id;

  it('only from an article of the same year as the first, when both are dated', () => {
    expect(also(dated('2017-06-20', '2017-06-21'))).toBe('cv-bai');
    expect(also(dated('2017-06-20', '2016-06-21'))).toBeUndefined();
  });

  it('only from a recent article when the question is about the last few days', () => {
    const question = `hôm nay ${q}`;
    expect(also(dated('2026-11-26', '2026-11-25'), question)).toBe('cv-bai');
    expect(also(dated('2026-11-26', '2026-01-05'), question)).toBeUndefined();
  });

  it('not a figure the quote already gives in other words ("455 đại biểu tán thành", "455 phiếu tán thành")', () => {
    const idx = indexWith(
      [
        [
          'cv-tin',
          'Quốc hội khóa XIV thông qua Luật Cảnh vệ chiều 20/6',
          'Chiều 20/6, với 455 đại biểu tán thành, chiếm 92,67%, Quốc hội khóa XIV thông qua Luật Cảnh vệ. Luật gồm 7 chương, 43 điều.',
        ],
        ['cv-bai', 'Quốc hội thông qua Luật Cảnh vệ', 'Trong phiên chiều, Luật Cảnh vệ nhận được 455 phiếu tán thành, chiếm 92,67%.'],
      ],
      20,
    );
    const a = createAnswerEngine({ index: idx, lexicon, tuning: { alsoRatio: 0 } }).answer(q);
    expect(a.quote!.join(' ')).toContain('455 đại biểu');
    expect(a.also).toBeUndefined();
  });

  it('for "bao nhiêu cán bộ", only a number of that unit when the question names one ("3 nhóm đối tượng" is not)', () => {
    const question = 'quy định 85 về kiểm tra kê khai tài sản áp dụng cho khoảng bao nhiêu cán bộ';
    const withSecond = (body: string) =>
      indexWith(
        [
          [
            't85',
            'Bộ Chính trị ban hành Quy định 85 về kiểm tra kê khai tài sản áp dụng cho cán bộ',
            'Bộ Chính trị ban hành Quy định 85 về kiểm tra, giám sát kê khai tài sản, áp dụng cho cán bộ cấp cao. Quy định 85 có hiệu lực từ ngày ký.',
          ],
          ['x85', 'Kê khai tài sản', body],
        ],
        20,
      );
    const added = (body: string) => createAnswerEngine({ index: withSecond(body), lexicon, tuning: { alsoRatio: 0 } }).answer(question).also?.id;
    expect(added('Theo Ủy ban Kiểm tra, quy định được áp dụng cho khoảng 1.000 cán bộ.')).toBe('x85');
    expect(added('Theo Ủy ban Kiểm tra, quy định được áp dụng cho khoảng 3 nhóm đối tượng.')).toBeUndefined();
  });
});

describe('quotes that say something new', () => {
  it('does not quote, as the second sentence, a restatement of the first (a lead the body repeats)', () => {
    const idx = oneArticle('tin', 'Tổng kết Quỹ Vì người nghèo huyện Lệ Thủy', [
      'Ủy ban MTTQ huyện Lệ Thủy tổng kết Quỹ Vì người nghèo năm 2023 với 2,3 tỷ đồng được vận động.',
      'Năm 2023, Ủy ban MTTQ huyện Lệ Thủy tổng kết Quỹ Vì người nghèo với 2,3 tỷ đồng vận động được.',
      'Số tiền được dùng để xây 40 nhà Đại đoàn kết cho hộ nghèo.',
    ]);
    const quote = createAnswerEngine({ index: idx, lexicon }).answer('Quỹ Vì người nghèo huyện Lệ Thủy năm 2023 vận động được bao nhiêu tiền?').quote!;
    expect(quote).toHaveLength(2);
    expect(quote.filter((s) => s.includes('2,3 tỷ'))).toHaveLength(1);
    expect(quote.join(' ')).toContain('40 nhà Đại đoàn kết');
  });

  it('takes a province the lexicon knows for the place a "tỉnh nào" question asks about ("Tỉnh ủy Hưng Yên")', () => {
    const quote = (places: string, tuning = {}) => {
      const body = [
        'Sáng 6/7, Đoàn kiểm tra của Ban Bí thư do đồng chí Võ Văn Thưởng làm Trưởng đoàn đã làm việc với Ban cán sự Đảng Bộ Kế hoạch và Đầu tư.',
        'Năm 2017, Đoàn kiểm tra của Ban Bí thư thành lập 5 đoàn kiểm tra 15 đơn vị.',
        `Đoàn sẽ kiểm tra ${places} và Ban cán sự Đảng Bộ Kế hoạch và Đầu tư.`,
      ];
      const idx = oneArticle('kt', 'Đoàn kiểm tra của Ban Bí thư làm việc', body);
      return createAnswerEngine({ index: idx, lexicon, tuning })
        .answer('đoàn kiểm tra Ban Bí thư do ông Võ Văn Thưởng làm trưởng đoàn đi kiểm tra tỉnh nào')
        .quote!.join(' ');
    };
    expect(quote('Tỉnh ủy Hưng Yên, Tỉnh ủy Sơn La')).toContain('Tỉnh ủy Hưng Yên');
    // The bonus of a place next to what is asked is what picks it over a sentence with more of the question's words.
    expect(quote('Tỉnh ủy Hưng Yên, Tỉnh ủy Sơn La', { shapeBonus: 0 })).toContain('thành lập 5 đoàn');
    expect(quote('Tỉnh ủy hai nơi')).toContain('thành lập 5 đoàn');
    // Only a proper name, written with capitals: "hòa bình" (peace) is not the province of Hòa Bình.
    expect(quote('các đơn vị vì hòa bình')).toContain('thành lập 5 đoàn');
    expect(quote('Tỉnh ủy Hòa Bình')).toContain('Tỉnh ủy Hòa Bình');
  });
});
