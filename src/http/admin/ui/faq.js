// Hỏi đáp: curated answers. Search, add, edit (with other wordings), withdraw, CSV import and export, and
// "Thử câu hỏi": what the bot would answer now, from which entry or article, and why.
import { api, seg } from './api.js';
import { busy, confirmButton, field, fill, h, statusLine, table, when } from './dom.js';

const KIND = {
  answer: 'trả lời',
  no_answer: 'chưa có thông tin',
  greeting: 'lời chào',
  thanks: 'lời cảm ơn',
  today: 'ngày giờ hôm nay',
  empty: 'câu trống',
  too_long: 'câu quá dài',
};
const REASON = {
  nothing_found: 'Không tìm thấy mục hay bài nào khớp với câu hỏi.',
  low_confidence: 'Có kết quả nhưng chưa đủ chắc chắn, nên bot trả lời “chưa có thông tin”.',
  no_contact: 'Câu hỏi xin số điện thoại, email hay trang web mà đoạn trích không có, nên bot trả lời “chưa có thông tin”.',
  confident: 'Đủ chắc chắn để trả lời.',
};
const FROM = { faq: 'Hỏi đáp', article: 'Bài viết', program: 'Chương trình phối hợp' };

const percent = (p) => `${Math.round(p * 100)}%`;
/** A feature's value as staff read it. */
const shownValue = (v) => (v === true ? 'có' : v === false ? 'không' : v === null || v === undefined ? '–' : typeof v === 'number' ? v : String(v));

/** The page: the try box, the search, the editor and the entries. */
export async function faqPage(section) {
  const status = statusLine();
  const list = h('ul', { class: 'list', 'aria-label': 'Các mục hỏi đáp' });
  const editorSlot = h('div');
  const q = h('input', { type: 'search', maxlength: '200' });
  const withdrawn = h('input', { type: 'checkbox', onchange: () => load() });
  let query = '';

  async function load() {
    const params = new URLSearchParams({ status: withdrawn.checked ? 'all' : 'active' });
    if (query) params.set('q', query);
    const data = await busy(null, status, () => api('GET', `faq?${params}`));
    if (!data) return;
    const entries = data.entries ?? [];
    if (!entries.length) return list.replaceChildren(h('li', { class: 'muted' }, query ? 'Không có mục nào khớp.' : 'Chưa có mục hỏi đáp nào.'));
    list.replaceChildren(...entries.map(entryCard));
  }

  function entryCard(e) {
    const actions = h('div', { class: 'actions' });
    const card = h(
      'li',
      { class: 'card faq-entry' },
      h(
        'h2',
        {},
        `#${e.id} `,
        e.needsQuestion ? h('span', { class: 'badge' }, 'Cần câu hỏi') : e.question,
        e.status === 'withdrawn' ? h('span', { class: 'badge' }, 'Đã gỡ') : null,
      ),
      e.alternates?.length
        ? h(
            'ul',
            { class: 'muted' },
            e.alternates.map((a) => h('li', {}, a)),
          )
        : null,
      h('p', { class: 'text' }, e.answer),
      h('p', { class: 'muted' }, `${e.author ?? ''} · sửa lúc ${when(e.updatedAt)}`),
      actions,
    );
    if (e.status !== 'withdrawn') {
      const edit = h('button', { type: 'button', onclick: () => openEditor(e) }, 'Sửa');
      const withdraw = confirmButton('Gỡ', {
        actions,
        question: 'Gỡ mục này?',
        confirmLabel: `Gỡ mục #${e.id}`,
        onConfirm: async (event) => {
          if (await busy(event.currentTarget, status, () => api('DELETE', `faq/${seg(e.id)}`))) {
            status.ok(`Đã gỡ mục #${e.id}: bot không dùng nó để trả lời nữa.`);
            await load();
          }
        },
        restore: () => [edit, withdraw],
      });
      actions.append(edit, withdraw);
    }
    return card;
  }

  function openEditor(entry) {
    const question = h('input', { maxlength: '300', required: true, value: entry?.question ?? '' });
    const alternates = h('textarea', { rows: '4', value: (entry?.alternates ?? []).join('\n') });
    const answer = h('textarea', { maxlength: '1500', required: true, value: entry?.answer ?? '' });
    const formStatus = statusLine();
    const form = h(
      'form',
      {
        class: 'card',
        'aria-label': entry ? `Sửa mục #${entry.id}` : 'Thêm hỏi đáp',
        onsubmit: async (event) => {
          event.preventDefault();
          const body = {
            question: question.value.trim(),
            answer: answer.value.trim(),
            alternates: alternates.value
              .split('\n')
              .map((x) => x.trim())
              .filter(Boolean),
          };
          const saved = await busy(event.submitter, formStatus, () => (entry ? api('PUT', `faq/${seg(entry.id)}`, body) : api('POST', 'faq', body)));
          if (!saved) return;
          editorSlot.replaceChildren();
          status.ok(entry ? `Đã lưu mục #${entry.id}.` : 'Đã thêm mục hỏi đáp. Bot dùng nó ngay từ bây giờ.');
          await load();
        },
      },
      h('h2', {}, entry ? `Sửa mục #${entry.id}` : 'Thêm hỏi đáp'),
      field('Câu hỏi', question),
      field('Cách hỏi khác', alternates, 'Mỗi dòng một cách hỏi. Bot nhận ra câu hỏi theo mọi cách hỏi này.'),
      field('Câu trả lời', answer),
      formStatus.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Lưu'),
        h('button', { type: 'button', onclick: () => editorSlot.replaceChildren() }, 'Hủy'),
      ),
    );
    editorSlot.replaceChildren(form);
    question.focus();
  }

  section.append(
    h('h1', {}, 'Hỏi đáp'),
    h('p', { class: 'muted' }, 'Câu trả lời do cán bộ soạn sẵn. Bot ưu tiên dùng chúng khi câu hỏi khớp.'),
    tryBox(),
    h(
      'form',
      {
        class: 'row',
        role: 'search',
        onsubmit: (event) => {
          event.preventDefault();
          query = q.value.trim();
          load();
        },
      },
      h('div', {}, ...field('Tìm trong hỏi đáp', q)),
      h('label', { class: 'inline' }, withdrawn, 'Cả mục đã gỡ'),
      h('button', { type: 'submit' }, 'Tìm'),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => openEditor() }, 'Thêm hỏi đáp'),
      h('a', { class: 'button', href: '/admin/api/faq/export.csv', download: 'hoi-dap.csv' }, 'Tải về CSV'),
    ),
    importBox(load),
    editorSlot,
    status.el,
    list,
  );
  await load();
}

/** "Thử câu hỏi": ask as a citizen would, without anyone receiving it. */
function tryBox() {
  const question = h('input', { maxlength: '500', required: true });
  const result = h('div', { class: 'try-result', 'aria-live': 'polite' });
  const status = statusLine();
  return h(
    'form',
    {
      class: 'card',
      'aria-label': 'Thử câu hỏi',
      onsubmit: async (event) => {
        event.preventDefault();
        const r = await busy(event.submitter, status, () => api('POST', 'faq/try', { question: question.value }));
        if (!r) return;
        const from = r.from;
        fill(
          result,
          h('h3', {}, 'Bot sẽ trả lời:'),
          h('pre', { class: 'preview try-text' }, r.text),
          from
            ? h(
                'p',
                { class: 'try-from' },
                from.type === 'faq' ? `Từ Hỏi đáp #${String(from.id).replace(/^faq:/, '')}: ` : `Từ ${FROM[from.type] ?? from.type}: `,
                from.url ? h('a', { href: from.url, target: '_blank', rel: 'noopener noreferrer' }, from.title) : from.title,
              )
            : h('p', { class: 'muted' }, 'Không dựa trên mục hỏi đáp hay bài viết nào.'),
          h(
            'p',
            {},
            `Loại trả lời: ${KIND[r.kind] ?? r.kind}`,
            typeof r.probability === 'number' ? ` · độ tin cậy của quyết định: ${percent(r.probability)}` : '',
            typeof r.threshold === 'number' ? ` (bot trả lời khi từ ${percent(r.threshold)})` : '',
          ),
          REASON[r.reason] ? h('p', { class: 'muted' }, REASON[r.reason]) : null,
          r.features?.length
            ? h(
                'details',
                {},
                h('summary', {}, `Các yếu tố của quyết định (${r.features.length})`),
                table(
                  'Các yếu tố của quyết định',
                  ['Yếu tố', 'Giá trị'],
                  r.features.map((f) => [f.name, shownValue(f.value)]),
                ),
              )
            : null,
        );
      },
    },
    h('h2', {}, 'Thử câu hỏi'),
    h(
      'div',
      { class: 'row' },
      h('div', {}, ...field('Câu hỏi thử', question, 'Xem bot trả lời thế nào trước khi người dân hỏi. Không ai nhận được câu này.')),
      h('button', { type: 'submit' }, 'Thử'),
    ),
    status.el,
    result,
  );
}

/** Import entries from a CSV file (the same columns as the export). */
function importBox(reload) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const status = statusLine();
  const report = h('div');
  return h(
    'details',
    { class: 'card' },
    h('summary', {}, 'Nhập hỏi đáp từ tệp CSV'),
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          const chosen = file.files?.[0];
          if (!chosen) return status.error('Hãy chọn một tệp CSV.');
          if (chosen.size > 1_000_000) return status.error('Tệp lớn quá 1 MB. Hãy chia nhỏ tệp rồi nhập từng phần.');
          const csv = await chosen.text();
          const r = await busy(event.submitter, status, () => api('POST', 'faq/import', { csv }));
          if (!r) return;
          status.ok(`Đã thêm ${r.added} mục, cập nhật ${r.updated} mục.`);
          report.replaceChildren(
            r.errors?.length
              ? table(
                  'Các dòng không nhập được',
                  ['Dòng', 'Lỗi'],
                  r.errors.map((e) => [String(e.line), e.error]),
                )
              : '',
          );
          await reload();
        },
      },
      field('Tệp CSV', file, 'Cùng các cột như tệp tải về.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Nhập')),
      status.el,
      report,
    ),
  );
}
