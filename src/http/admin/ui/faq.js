// Hỏi đáp: curated answers. Search, add, edit (with other wordings), withdraw, CSV import and export, and
// "Thử câu hỏi": what the bot would answer now, from which entry or article, and why.
import { api, seg } from './api.js';
import { busy, field, h, statusLine, table, when } from './dom.js';

const KIND = { answer: 'Trả lời', noInfo: 'Chưa có thông tin', no_info: 'Chưa có thông tin', clarify: 'Hỏi lại cho rõ', ticket: 'Chuyển cán bộ' };
const FROM = { faq: 'Hỏi đáp', article: 'Bài viết', program: 'Chương trình phối hợp' };

/** The page: the try box, the search, the editor and the entries. */
export async function faqPage(section) {
  const status = statusLine();
  const list = h('ul', { class: 'list', 'aria-label': 'Các mục hỏi đáp' });
  const editorSlot = h('div');
  const q = h('input', { type: 'search', maxlength: '200' });
  let query = '';

  async function load() {
    const data = await busy(null, status, () => api('GET', `faq${query ? `?q=${encodeURIComponent(query)}` : ''}`));
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
      const withdraw = h(
        'button',
        {
          type: 'button',
          onclick: () => {
            const confirm = h(
              'button',
              {
                type: 'button',
                class: 'primary',
                onclick: async (event) => {
                  if (await busy(event.currentTarget, status, () => api('DELETE', `faq/${seg(e.id)}`))) {
                    status.ok(`Đã gỡ mục #${e.id}: bot không dùng nó để trả lời nữa.`);
                    await load();
                  }
                },
              },
              `Gỡ mục #${e.id}`,
            );
            const cancel = h('button', { type: 'button', onclick: () => actions.replaceChildren(edit, withdraw) }, 'Thôi');
            actions.replaceChildren(h('span', {}, 'Gỡ mục này?'), confirm, cancel);
            confirm.focus();
          },
        },
        'Gỡ',
      );
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
        result.replaceChildren(
          h('h3', {}, `Bot sẽ trả lời (${KIND[r.kind] ?? r.kind}):`),
          h('pre', { class: 'preview try-text' }, r.text),
          from
            ? h(
                'p',
                { class: 'try-from' },
                `Từ ${FROM[from.type] ?? from.type} #${from.id}: `,
                from.url ? h('a', { href: from.url, target: '_blank', rel: 'noopener noreferrer' }, from.title) : from.title,
              )
            : h('p', { class: 'muted' }, 'Không dựa trên mục hay bài viết nào.'),
          typeof r.probability === 'number' ? h('p', {}, `Độ tin cậy của quyết định: ${Math.round(r.probability * 100)}%`) : null,
          r.features?.length
            ? table(
                'Các yếu tố chính của quyết định',
                ['Yếu tố', 'Giá trị'],
                r.features.map((f) => [f.name, f.value]),
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
