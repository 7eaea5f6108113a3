// Nhật ký: the staff audit log (the same as /nhatky in chat), filtered by words, action and dates.
import { api } from './api.js';
import { busy, field, h, statusLine, table, when } from './dom.js';

const OUTCOME = { ok: 'Thành công', denied: 'Bị từ chối', failed: 'Lỗi', cancelled: 'Đã hủy' };

/** The page: the filters, then the matching entries, newest first. */
export async function auditPage(section) {
  const status = statusLine();
  const results = h('div');
  const q = h('input', { type: 'search', maxlength: '200' });
  const action = h('input', { maxlength: '100', placeholder: 'Ví dụ: đăng nhập' });
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const limit = h(
    'select',
    {},
    [50, 200, 1000].map((n) => h('option', { value: String(n) }, `${n} dòng`)),
  );

  async function load(button) {
    const params = new URLSearchParams();
    if (q.value.trim()) params.set('q', q.value.trim());
    if (action.value.trim()) params.set('action', action.value.trim());
    if (from.value) params.set('from', from.value);
    if (to.value) params.set('to', to.value);
    params.set('limit', limit.value);
    const data = await busy(button, status, () => api('GET', `audit?${params}`));
    if (!data) return;
    const entries = data.entries ?? [];
    results.replaceChildren(
      entries.length
        ? table(
            `Nhật ký: ${entries.length} dòng`,
            ['Thời điểm', 'Người làm', 'Việc', 'Kết quả', 'Chi tiết'],
            entries.map((e) => [when(e.at), e.who, e.action, OUTCOME[e.outcome] ?? e.outcome, e.detail ?? '']),
          )
        : h('p', { class: 'muted' }, 'Không có dòng nào khớp.'),
    );
  }

  section.append(
    h('h1', {}, 'Nhật ký'),
    h('p', { class: 'muted' }, 'Mọi việc cán bộ làm qua chat và qua trang này: đăng nhập, trả lời, sửa hỏi đáp, gửi thông báo…'),
    h(
      'form',
      {
        class: 'card',
        role: 'search',
        'aria-label': 'Lọc nhật ký',
        onsubmit: (event) => {
          event.preventDefault();
          load(event.submitter);
        },
      },
      h(
        'div',
        { class: 'row' },
        h('div', {}, ...field('Tìm', q)),
        h('div', {}, ...field('Việc', action)),
        h('div', {}, ...field('Từ ngày', from)),
        h('div', {}, ...field('Đến ngày', to)),
        h('div', {}, ...field('Số dòng', limit)),
        h('button', { type: 'submit', class: 'primary' }, 'Lọc'),
      ),
    ),
    status.el,
    results,
  );
  await load();
}
